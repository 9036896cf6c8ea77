/*
 * Copyright 2026 The masque-relay authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.masquerelay.protocol.capsule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;

/** Cumulating a capsule stream (RFC 9297 §3.2) that arrives in arbitrary chunks. */
class CapsuleCumulatorTest {

    private static final String STREAM = "00" // Capsule Type = DATAGRAM
            + "09" // Capsule Length = 9
            + "00" // Context ID = 0
            + "a1a2a3a4a5a6a7a8" // UDP payload
            + "17" // Capsule Type = 0x17 (unknown)
            + "03" // Capsule Length = 3
            + "b1b2b3" // Capsule Value
            + "00" // Capsule Type = DATAGRAM
            + "4044" // Capsule Length = 68, 2-byte varint
            + "00" // Context ID = 0
            + "c0".repeat(67); // UDP payload

    private static final List<String> PAYLOADS = List.of("00a1a2a3a4a5a6a7a8", "b1b2b3", "00" + "c0".repeat(67));

    private final List<Capsule> capsules = new ArrayList<>();
    private final List<ByteBuf> chunks = new ArrayList<>();

    @AfterEach
    void everythingIsReleased() {
        capsules.forEach(c -> c.payload().release());
        capsules.forEach(c -> assertThat(c.payload().refCnt()).isZero());
        chunks.forEach(c -> assertThat(c.refCnt()).as("chunk refCnt").isZero());
    }

    /** Splits {@link #STREAM} at the given sizes (cycled) into tracked chunks. */
    private List<ByteBuf> split(String hex, int... sizes) {
        byte[] bytes = Hex.bytes(hex);
        List<ByteBuf> out = new ArrayList<>();
        for (int pos = 0, i = 0; pos < bytes.length; i++) {
            int n = Math.min(sizes[i % sizes.length], bytes.length - pos);
            ByteBuf chunk = ByteBufAllocator.DEFAULT.buffer(n).writeBytes(bytes, pos, n);
            out.add(chunk);
            pos += n;
        }
        chunks.addAll(out);
        return out;
    }

    @Test
    void decodesStreamFedOneByteAtATime() {
        try (CapsuleCumulator cumulator = new CapsuleCumulator(1500)) {
            for (ByteBuf chunk : split(STREAM, 1)) {
                cumulator.add(chunk, capsules::add);
            }
            assertThat(cumulator.hasPartial()).isFalse();
        }

        assertThat(capsules).extracting(Capsule::type).containsExactly(0L, 0x17L, 0L);
        assertThat(capsules).extracting(c -> Hex.of(c.payload())).containsExactlyElementsOf(PAYLOADS);
    }

    @Test
    void decodesStreamInRandomChunksWhileConsumerHoldsPayloads() {
        Random random = new Random(9297);
        for (int run = 0; run < 50; run++) {
            int[] sizes = random.ints(8, 1, 40).toArray();
            List<Capsule> held = new ArrayList<>();
            try (CapsuleCumulator cumulator = new CapsuleCumulator(1500)) {
                for (ByteBuf chunk : split(STREAM + STREAM, sizes)) {
                    cumulator.add(chunk, held::add);
                }
                assertThat(cumulator.hasPartial()).isFalse();
            }
            // Payloads read only now: merging must not have moved bytes under outstanding slices.
            assertThat(held)
                    .extracting(c -> Hex.of(c.payload()))
                    .as("chunk sizes %s", java.util.Arrays.toString(sizes))
                    .containsExactly(
                            PAYLOADS.get(0),
                            PAYLOADS.get(1),
                            PAYLOADS.get(2),
                            PAYLOADS.get(0),
                            PAYLOADS.get(1),
                            PAYLOADS.get(2));
            capsules.addAll(held);
        }
    }

    @Test
    void decodesStreamInRandomChunksWhenConsumerReleasesAtOnce() {
        Random random = new Random(9298);
        List<String> seen = new ArrayList<>();
        try (CapsuleCumulator cumulator = new CapsuleCumulator(1500)) {
            for (ByteBuf chunk :
                    split((STREAM).repeat(20), random.ints(16, 1, 30).toArray())) {
                cumulator.add(chunk, c -> {
                    seen.add(Hex.of(c.payload()));
                    c.payload().release();
                });
            }
            assertThat(cumulator.hasPartial()).isFalse();
        }
        assertThat(seen).hasSize(60);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)).isEqualTo(PAYLOADS.get(i % 3));
        }
    }

    @Test
    void keepsPartialCapsuleUntilCompleted() {
        List<ByteBuf> parts = split(STREAM, 12);
        try (CapsuleCumulator cumulator = new CapsuleCumulator(1500)) {
            cumulator.add(parts.get(0), capsules::add);

            assertThat(capsules).hasSize(1);
            assertThat(cumulator.hasPartial())
                    .as("1 byte of the second capsule")
                    .isTrue();

            for (ByteBuf part : parts.subList(1, parts.size())) {
                cumulator.add(part, capsules::add);
            }
            assertThat(cumulator.hasPartial()).isFalse();
        }
        assertThat(capsules).hasSize(3);
    }

    @Test
    void closeReleasesPartialCapsule() {
        List<ByteBuf> parts = split(STREAM, 5, 3);
        CapsuleCumulator cumulator = new CapsuleCumulator(1500);
        cumulator.add(parts.get(0), capsules::add);
        cumulator.add(parts.get(1), capsules::add);
        assertThat(cumulator.hasPartial()).isTrue();

        cumulator.close();
        cumulator.close(); // idempotent

        assertThat(cumulator.hasPartial()).isFalse();
        parts.subList(2, parts.size()).forEach(ByteBuf::release);
    }

    @Test
    void emptyChunkIsAccepted() {
        try (CapsuleCumulator cumulator = new CapsuleCumulator(1500)) {
            ByteBuf empty = ByteBufAllocator.DEFAULT.buffer(0);
            chunks.add(empty);
            cumulator.add(empty, capsules::add);
            assertThat(cumulator.hasPartial()).isFalse();
        }
    }

    @Test
    void oversizeCapsuleIsMalformedAndReleasesEverything() {
        List<ByteBuf> parts = split(
                "00" // Capsule Type = DATAGRAM
                        + "02" // Capsule Length = 2
                        + "0001" // Capsule Value
                        + "00" // Capsule Type = DATAGRAM
                        + "4400", // Capsule Length = 1024, above the limit
                5,
                2);
        CapsuleCumulator cumulator = new CapsuleCumulator(1000);
        cumulator.add(parts.get(0), capsules::add);

        assertThatThrownBy(() -> cumulator.add(parts.get(1), capsules::add))
                .isInstanceOf(MalformedCapsuleException.class)
                .hasMessage("capsule length 1024 exceeds limit 1000");

        assertThat(capsules).hasSize(1);
        assertThat(cumulator.hasPartial()).as("closed and released").isFalse();
    }

    @Test
    void addAfterCloseIsRejectedAndReleasesChunk() {
        CapsuleCumulator cumulator = new CapsuleCumulator(1500);
        cumulator.close();
        ByteBuf chunk = split("0000", 2).get(0);

        assertThatThrownBy(() -> cumulator.add(chunk, capsules::add)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void consumerFailureClosesCumulator() {
        List<ByteBuf> parts = split(STREAM, 20);
        CapsuleCumulator cumulator = new CapsuleCumulator(1500);

        assertThatThrownBy(() -> cumulator.add(parts.get(0), c -> {
                    capsules.add(c);
                    throw new IllegalStateException("consumer failed");
                }))
                .hasMessage("consumer failed");

        assertThat(cumulator.hasPartial()).isFalse();
        assertThatThrownBy(() -> cumulator.add(parts.get(1), capsules::add)).isInstanceOf(IllegalStateException.class);
        parts.subList(2, parts.size()).forEach(ByteBuf::release);
    }
}
