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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.ProtocolException;

/** RFC 9297 §3.2 capsule parsing, in the style of QUICHE's capsule_test.cc. */
class CapsuleDecoderTest {

    private static final String DATAGRAM_CAPSULE = "00" // Capsule Type = DATAGRAM (RFC 9297 §3.5)
            + "09" // Capsule Length = 9
            + "00" // Context ID = 0 (UDP payload, RFC 9298 §4)
            + "a1a2a3a4a5a6a7a8"; // UDP payload

    private static final String UNKNOWN_CAPSULE =
            "4017" // Capsule Type = 0x17, non-minimal 2-byte varint (a reserved type, RFC 9297 §5.4)
                    + "03" // Capsule Length = 3
                    + "b1b2b3"; // Capsule Value

    private final List<Capsule> capsules = new ArrayList<>();
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void releaseAndCheck() {
        capsules.forEach(c -> c.payload().release());
        buffers.forEach(ByteBuf::release);
        capsules.forEach(c -> assertThat(c.payload().refCnt()).isZero());
        buffers.forEach(b -> assertThat(b.refCnt()).isZero());
    }

    private ByteBuf input(String hex) {
        ByteBuf buf = Hex.buf(hex);
        buffers.add(buf);
        return buf;
    }

    @Test
    void decodesDatagramCapsule() {
        ByteBuf in = input(DATAGRAM_CAPSULE);

        new CapsuleDecoder(65_535).decode(in, capsules::add);

        assertThat(capsules).hasSize(1);
        Capsule capsule = capsules.get(0);
        assertThat(capsule.type()).isEqualTo(Capsule.TYPE_DATAGRAM);
        assertThat(Hex.of(capsule.payload())).isEqualTo("00a1a2a3a4a5a6a7a8");
        assertThat(in.isReadable()).isFalse();
    }

    @Test
    void emitsUnknownCapsuleTypesForTheCallerToSkip() {
        ByteBuf in = input(UNKNOWN_CAPSULE);

        new CapsuleDecoder(65_535).decode(in, capsules::add);

        assertThat(capsules).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(0x17);
            assertThat(Hex.of(c.payload())).isEqualTo("b1b2b3");
        });
    }

    @Test
    void decodesLargeTypeAndZeroLength() {
        ByteBuf in = input(
                "c000000000000017" // Capsule Type = 0x17 as an 8-byte varint
                        + "00"); // Capsule Length = 0, no value

        new CapsuleDecoder(0).decode(in, capsules::add);

        assertThat(capsules).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(0x17);
            assertThat(c.payload().readableBytes()).isZero();
        });
    }

    @Test
    void decodesSeveralCapsulesFromOneBuffer() {
        ByteBuf in = input(DATAGRAM_CAPSULE + UNKNOWN_CAPSULE + DATAGRAM_CAPSULE);

        new CapsuleDecoder(65_535).decode(in, capsules::add);

        assertThat(capsules).extracting(Capsule::type).containsExactly(0L, 0x17L, 0L);
        assertThat(in.isReadable()).isFalse();
    }

    @Test
    void leavesPartialCapsuleUnread() {
        ByteBuf in = input(DATAGRAM_CAPSULE
                + "00" // Capsule Type = DATAGRAM
                + "09" // Capsule Length = 9
                + "00a1a2"); // first 3 of 9 value bytes

        new CapsuleDecoder(65_535).decode(in, capsules::add);

        assertThat(capsules).hasSize(1);
        assertThat(in.readerIndex()).isEqualTo(11);
        assertThat(Hex.of(in)).isEqualTo("000900a1a2");
    }

    @Test
    void leavesPartialHeaderUnread() {
        ByteBuf in = input(
                "80" // first byte of a 4-byte Capsule Type
                        + "0000");

        new CapsuleDecoder(65_535).decode(in, capsules::add);

        assertThat(capsules).isEmpty();
        assertThat(in.readerIndex()).isZero();
    }

    @Test
    void decodesInputFedOneByteAtATime() {
        byte[] stream = Hex.bytes(DATAGRAM_CAPSULE + UNKNOWN_CAPSULE + "0000" + DATAGRAM_CAPSULE);
        ByteBuf cumulation = ByteBufAllocator.DEFAULT.buffer();
        buffers.add(cumulation);
        CapsuleDecoder decoder = new CapsuleDecoder(65_535);
        List<Integer> emittedAt = new ArrayList<>();

        for (int i = 0; i < stream.length; i++) {
            cumulation.writeByte(stream[i]);
            int before = capsules.size();
            decoder.decode(cumulation, capsules::add);
            if (capsules.size() > before) {
                emittedAt.add(i);
            }
        }

        assertThat(capsules).extracting(Capsule::type).containsExactly(0L, 0x17L, 0L, 0L);
        assertThat(capsules)
                .extracting(c -> Hex.of(c.payload()))
                .containsExactly("00a1a2a3a4a5a6a7a8", "b1b2b3", "", "00a1a2a3a4a5a6a7a8");
        // Each capsule is emitted exactly when its last byte arrives.
        assertThat(emittedAt).containsExactly(10, 16, 18, 29);
        assertThat(cumulation.isReadable()).isFalse();
    }

    @Test
    void decodeThenEncodeRoundTrips() {
        String stream = DATAGRAM_CAPSULE + UNKNOWN_CAPSULE.replace("4017", "17");
        ByteBuf in = input(stream);
        new CapsuleDecoder(65_535).decode(in, capsules::add);

        StringBuilder reencoded = new StringBuilder();
        for (Capsule capsule : capsules) {
            ByteBuf out = CapsuleEncoder.encode(ByteBufAllocator.DEFAULT, capsule.type(), capsule.payload());
            reencoded.append(Hex.of(out));
            out.release();
        }

        assertThat(reencoded.toString()).isEqualTo(stream);
    }

    @Test
    void payloadOutlivesInputBuffer() {
        ByteBuf in = Hex.buf(DATAGRAM_CAPSULE);
        new CapsuleDecoder(65_535).decode(in, capsules::add);

        in.release();

        assertThat(in.refCnt()).as("the slice keeps the memory").isEqualTo(1);
        assertThat(Hex.of(capsules.get(0).payload())).isEqualTo("00a1a2a3a4a5a6a7a8");
    }

    @Test
    void lengthAtLimitIsAccepted() {
        ByteBuf in = input(
                "00" // Capsule Type = DATAGRAM
                        + "04" // Capsule Length = 4, exactly the limit
                        + "00010203");

        new CapsuleDecoder(4).decode(in, capsules::add);

        assertThat(capsules).hasSize(1);
    }

    @Test
    void lengthAboveLimitIsMalformedBeforeValueArrives() {
        ByteBuf in = input(DATAGRAM_CAPSULE
                + "00" // Capsule Type = DATAGRAM
                + "80011170"); // Capsule Length = 70000; no value bytes have arrived

        CapsuleDecoder decoder = new CapsuleDecoder(65_535);
        assertThatThrownBy(() -> decoder.decode(in, capsules::add))
                .isInstanceOf(MalformedCapsuleException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessage("capsule length 70000 exceeds limit 65535");

        assertThat(capsules).as("capsules before the bad one are still emitted").hasSize(1);
        assertThat(in.readerIndex()).as("left at the start of the bad capsule").isEqualTo(11);
    }

    @Test
    void hugeLengthIsMalformed() {
        ByteBuf in = input(
                "00" // Capsule Type = DATAGRAM
                        + "ffffffffffffffff"); // Capsule Length = 2^62-1

        assertThatThrownBy(() -> new CapsuleDecoder(Integer.MAX_VALUE).decode(in, capsules::add))
                .isInstanceOf(MalformedCapsuleException.class)
                .hasMessage("capsule length 4611686018427387903 exceeds limit 2147483647");
    }

    @Test
    void negativeLimitIsRejected() {
        assertThatThrownBy(() -> new CapsuleDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringOmitsPayloadBytes() {
        ByteBuf in = input(DATAGRAM_CAPSULE);
        new CapsuleDecoder(65_535).decode(in, capsules::add);

        assertThat(capsules.get(0)).hasToString("Capsule[type=0x0, length=9]");
    }
}
