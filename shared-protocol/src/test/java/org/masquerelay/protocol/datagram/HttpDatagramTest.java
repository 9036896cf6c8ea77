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
package org.masquerelay.protocol.datagram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.ProtocolException;

/** RFC 9297 §2.1 HTTP/3 Datagrams carrying RFC 9298 §5 payloads. */
class HttpDatagramTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesIntoDirectBuffer() {
        ByteBuf udp = Hex.buf("a1a2a3a4");
        // Even an allocator that prefers heap must yield a direct buffer for QUIC.
        ByteBuf datagram = HttpDatagram.encode(new UnpooledByteBufAllocator(false), 1, 0, udp);
        try {
            assertThat(datagram.isDirect()).isTrue();
            assertThat(Hex.of(datagram))
                    .isEqualTo(
                            "01" // Quarter Stream ID = 1 (client bidi stream 4)
                                    + "00" // Context ID = 0 (UDP payload)
                                    + "a1a2a3a4"); // Payload
            assertThat(udp.readerIndex()).as("payload not consumed").isZero();
            assertThat(udp.refCnt()).as("payload not released").isEqualTo(1);
        } finally {
            datagram.release();
            udp.release();
        }
        assertThat(datagram.refCnt()).isZero();
        assertThat(udp.refCnt()).isZero();
    }

    @Test
    void encodesMultiByteIds() {
        ByteBuf udp = Hex.buf("ff");
        ByteBuf datagram = HttpDatagram.encode(ALLOC, 100, 16_384, udp);
        try {
            assertThat(Hex.of(datagram))
                    .isEqualTo(
                            "4064" // Quarter Stream ID = 100, 2-byte varint
                                    + "80004000" // Context ID = 16384, 4-byte varint
                                    + "ff"); // Payload
            assertThat(HttpDatagram.overhead(100, 16_384)).isEqualTo(6);
        } finally {
            datagram.release();
            udp.release();
        }
    }

    @Test
    void overheadCountsBothVarints() {
        assertThat(HttpDatagram.overhead(0, 0)).isEqualTo(2);
        assertThat(HttpDatagram.overhead(63, 0)).isEqualTo(2);
        assertThat(HttpDatagram.overhead(64, 0)).isEqualTo(3);
        assertThat(HttpDatagram.overhead(HttpDatagram.MAX_QUARTER_STREAM_ID, 0)).isEqualTo(9);
    }

    @Test
    void readsFieldsInOrder() {
        ByteBuf in = Hex.buf(
                "4064" // Quarter Stream ID = 100
                        + "00" // Context ID = 0
                        + "a1a2"); // Payload
        try {
            assertThat(HttpDatagram.readQuarterStreamId(in)).isEqualTo(100);
            assertThat(HttpDatagram.readContextId(in)).isEqualTo(0);
            assertThat(Hex.of(in)).isEqualTo("a1a2");
        } finally {
            in.release();
        }
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void encodeThenReadRoundTrips() {
        ByteBuf udp = Hex.buf("0102030405060708");
        ByteBuf datagram = HttpDatagram.encode(ALLOC, HttpDatagram.MAX_QUARTER_STREAM_ID, 42, udp);
        try {
            assertThat(HttpDatagram.readQuarterStreamId(datagram)).isEqualTo(HttpDatagram.MAX_QUARTER_STREAM_ID);
            assertThat(HttpDatagram.readContextId(datagram)).isEqualTo(42);
            assertThat(Hex.of(datagram)).isEqualTo("0102030405060708");
        } finally {
            datagram.release();
            udp.release();
        }
    }

    @Test
    void emptyDatagramIsMalformed() {
        ByteBuf in = ALLOC.buffer(0);
        try {
            assertThatThrownBy(() -> HttpDatagram.readQuarterStreamId(in))
                    .isInstanceOf(MalformedDatagramException.class)
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageStartingWith("HTTP datagram truncated in quarter stream ID");
        } finally {
            in.release();
        }
    }

    @Test
    void truncatedQuarterStreamIdIsMalformed() {
        ByteBuf in = Hex.buf("80"); // first byte of a 4-byte Quarter Stream ID
        try {
            assertThatThrownBy(() -> HttpDatagram.readQuarterStreamId(in))
                    .isInstanceOf(MalformedDatagramException.class)
                    .hasMessage("HTTP datagram truncated in quarter stream ID: varint truncated: 4-byte encoding"
                            + " but 1 byte(s) readable");
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void missingContextIdIsMalformed() {
        ByteBuf in = Hex.buf("01"); // Quarter Stream ID = 1, then nothing
        try {
            assertThat(HttpDatagram.readQuarterStreamId(in)).isEqualTo(1);
            assertThatThrownBy(() -> HttpDatagram.readContextId(in))
                    .isInstanceOf(MalformedDatagramException.class)
                    .hasMessageStartingWith("HTTP datagram truncated in context ID");
        } finally {
            in.release();
        }
    }

    @Test
    void truncatedContextIdIsMalformed() {
        ByteBuf in = Hex.buf(
                "01" // Quarter Stream ID = 1
                        + "c00000"); // first 3 bytes of an 8-byte Context ID
        try {
            HttpDatagram.readQuarterStreamId(in);
            assertThatThrownBy(() -> HttpDatagram.readContextId(in))
                    .isInstanceOf(MalformedDatagramException.class)
                    .hasMessageContaining("context ID");
            assertThat(in.readerIndex()).isEqualTo(1);
        } finally {
            in.release();
        }
    }

    @Test
    void quarterStreamIdAboveMaxIsMalformed() {
        ByteBuf in = Hex.buf(
                "d000000000000000" // Quarter Stream ID = 2^60, one above the maximum
                        + "00"); // Context ID = 0
        try {
            assertThatThrownBy(() -> HttpDatagram.readQuarterStreamId(in))
                    .isInstanceOf(MalformedDatagramException.class)
                    .hasMessage("quarter stream ID 1152921504606846976 exceeds 1152921504606846975");
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void encodeRejectsIdsOutOfRange() {
        ByteBuf udp = Hex.buf("00");
        try {
            assertThatThrownBy(() -> HttpDatagram.encode(ALLOC, 1L << 60, 0, udp))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HttpDatagram.encode(ALLOC, -1, 0, udp))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HttpDatagram.encode(ALLOC, 0, 1L << 62, udp))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            udp.release();
        }
    }

    @Test
    void constantsMatchRfcs() {
        assertThat(HttpDatagram.H3_DATAGRAM_ERROR).isEqualTo(0x33);
        assertThat(HttpDatagram.MAX_QUARTER_STREAM_ID).isEqualTo(1_152_921_504_606_846_975L);
        assertThat(H3Settings.SETTINGS_H3_DATAGRAM).isEqualTo(0x33);
        assertThat(H3Settings.SETTINGS_ENABLE_CONNECT_PROTOCOL).isEqualTo(0x08);
    }
}
