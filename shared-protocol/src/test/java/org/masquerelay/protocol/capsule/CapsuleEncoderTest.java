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
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.datagram.HttpDatagram;

/** RFC 9297 §3.2 and §3.5 capsule serialization. */
class CapsuleEncoderTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesDatagramCapsule() {
        ByteBuf udp = Hex.buf("a1a2a3a4a5a6a7a8");
        ByteBuf capsule = CapsuleEncoder.encodeDatagram(ALLOC, 0, udp);
        try {
            assertThat(Hex.of(capsule))
                    .isEqualTo(
                            "00" // Capsule Type = DATAGRAM
                                    + "09" // Capsule Length = 9
                                    + "00" // Context ID = 0
                                    + "a1a2a3a4a5a6a7a8"); // UDP payload
            assertThat(udp.refCnt()).as("payload is not released").isEqualTo(1);
            assertThat(udp.readerIndex()).as("payload is not consumed").isZero();
        } finally {
            capsule.release();
            udp.release();
        }
        assertThat(capsule.refCnt()).isZero();
        assertThat(udp.refCnt()).isZero();
    }

    @Test
    void encodesDatagramCapsuleWithMultiByteFields() {
        ByteBuf udp = ALLOC.buffer().writeZero(100);
        ByteBuf capsule = CapsuleEncoder.encodeDatagram(ALLOC, 64, udp);
        try {
            String hex = Hex.of(capsule);
            assertThat(hex)
                    .startsWith(
                            "00" // Capsule Type = DATAGRAM
                                    + "4066" // Capsule Length = 102, 2-byte varint
                                    + "4040"); // Context ID = 64, 2-byte varint
            assertThat(capsule.readableBytes()).isEqualTo(1 + 2 + 2 + 100);
        } finally {
            capsule.release();
            udp.release();
        }
    }

    @Test
    void encodesCapsuleOfAnyType() {
        ByteBuf value = Hex.buf("b1b2b3");
        ByteBuf capsule = CapsuleEncoder.encode(ALLOC, 0x2A_0000_0000L, value);
        try {
            assertThat(Hex.of(capsule))
                    .isEqualTo(
                            "c000002a00000000" // Capsule Type = 0x2a00000000, 8-byte varint
                                    + "03" // Capsule Length = 3
                                    + "b1b2b3"); // Capsule Value
        } finally {
            capsule.release();
            value.release();
        }
    }

    @Test
    void encodesEmptyCapsule() {
        ByteBuf value = ALLOC.buffer(0);
        ByteBuf capsule = CapsuleEncoder.encode(ALLOC, 0x17, value);
        try {
            assertThat(Hex.of(capsule)).isEqualTo("1700");
        } finally {
            capsule.release();
            value.release();
        }
    }

    @Test
    void encodeThenDecodeRoundTrips() {
        ByteBuf udp = Hex.buf("0102030405");
        ByteBuf wire = CapsuleEncoder.encodeDatagram(ALLOC, 2, udp);
        List<Capsule> capsules = new ArrayList<>();
        try {
            new CapsuleDecoder(1500).decode(wire, capsules::add);

            assertThat(capsules).singleElement().satisfies(c -> {
                assertThat(c.type()).isEqualTo(Capsule.TYPE_DATAGRAM);
                assertThat(HttpDatagram.readContextId(c.payload())).isEqualTo(2);
                assertThat(Hex.of(c.payload())).isEqualTo("0102030405");
            });
        } finally {
            capsules.forEach(c -> c.payload().release());
            wire.release();
            udp.release();
        }
        assertThat(wire.refCnt()).isZero();
        assertThat(capsules.get(0).payload().refCnt()).isZero();
    }

    @Test
    void typeOutOfRangeIsRejectedBeforeAllocating() {
        ByteBuf value = Hex.buf("00");
        try {
            assertThatThrownBy(() -> CapsuleEncoder.encode(ALLOC, -1, value))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CapsuleEncoder.encodeDatagram(ALLOC, 1L << 62, value))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            value.release();
        }
    }

    @Test
    void capsuleRecordRejectsBadComponents() {
        ByteBuf value = Hex.buf("00");
        try {
            assertThatThrownBy(() -> new Capsule(-1, value)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new Capsule(0, null)).isInstanceOf(NullPointerException.class);
        } finally {
            value.release();
        }
    }
}
