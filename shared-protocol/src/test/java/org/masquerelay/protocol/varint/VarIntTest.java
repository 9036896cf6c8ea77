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
package org.masquerelay.protocol.varint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.Hex;

/** RFC 9000 §16 and the sample encodings of RFC 9000 Appendix A.1. */
class VarIntTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // encoding (hex)     , value              , length
        "c2197c5eff14e88c     , 151288809941952652 , 8", // RFC 9000 A.1: 8-byte
        "9d7f3e7d             , 494878333          , 4", // RFC 9000 A.1: 4-byte
        "7bbd                 , 15293              , 2", // RFC 9000 A.1: 2-byte
        "25                   , 37                 , 1", // RFC 9000 A.1: 1-byte
    })
    void decodesAndEncodesRfc9000AppendixA1Examples(String hex, long value, int length) {
        ByteBuf in = Hex.buf(hex);
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            assertThat(VarInt.peekLength(in)).isEqualTo(length);
            assertThat(VarInt.isReadable(in)).isTrue();
            assertThat(VarInt.read(in)).isEqualTo(value);
            assertThat(in.isReadable()).isFalse();

            assertThat(VarInt.encodedLength(value)).isEqualTo(length);
            VarInt.write(out, value);
            assertThat(Hex.of(out)).isEqualTo(hex.trim());
        } finally {
            in.release();
            out.release();
        }
        assertThat(in.refCnt()).isZero();
        assertThat(out.refCnt()).isZero();
    }

    @Test
    void decodesNonMinimalEncoding() {
        ByteBuf in = Hex.buf(
                "4025" // 2-byte encoding of 37 (RFC 9000 A.1: "would decode to 37")
                        + "8000 0025" // 4-byte encoding of 37
                        + "c000 0000 0000 0025"); // 8-byte encoding of 37
        try {
            assertThat(VarInt.read(in)).isEqualTo(37);
            assertThat(VarInt.read(in)).isEqualTo(37);
            assertThat(VarInt.read(in)).isEqualTo(37);
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void encodesMinimallyAtEveryBoundary() {
        long[] values = {
            0, 63, 64, 16_383, 16_384, (1L << 30) - 1, 1L << 30, VarInt.MAX_VALUE,
        };
        int[] lengths = {1, 1, 2, 2, 4, 4, 8, 8};
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            for (int i = 0; i < values.length; i++) {
                buf.clear();
                VarInt.write(buf, values[i]);
                assertThat(buf.readableBytes()).as("length of %d", values[i]).isEqualTo(lengths[i]);
                assertThat(VarInt.encodedLength(values[i])).isEqualTo(lengths[i]);
                assertThat(VarInt.read(buf)).isEqualTo(values[i]);
                assertThat(buf.isReadable()).isFalse();
            }
        } finally {
            buf.release();
        }
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void encodesMaxValue() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            VarInt.write(buf, VarInt.MAX_VALUE);
            assertThat(Hex.of(buf)).isEqualTo("ffffffffffffffff");
            assertThat(VarInt.MAX_VALUE).isEqualTo(4_611_686_018_427_387_903L);
        } finally {
            buf.release();
        }
    }

    @Test
    void becomesReadableOnlyWhenFedItsLastByte() {
        byte[] encoded = Hex.bytes("c2197c5eff14e88c"); // 151288809941952652
        ByteBuf in = ByteBufAllocator.DEFAULT.buffer();
        try {
            assertThat(VarInt.peekLength(in)).isEqualTo(-1);
            for (int i = 0; i < encoded.length; i++) {
                assertThat(VarInt.isReadable(in)).as("after %d bytes", i).isFalse();
                in.writeByte(encoded[i]);
                assertThat(VarInt.peekLength(in)).isEqualTo(8);
            }
            assertThat(VarInt.isReadable(in)).isTrue();
            assertThat(VarInt.read(in)).isEqualTo(151_288_809_941_952_652L);
        } finally {
            in.release();
        }
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void peekLengthDoesNotAdvance() {
        ByteBuf in = Hex.buf("9d7f3e7d");
        try {
            assertThat(VarInt.peekLength(in)).isEqualTo(4);
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void emptyInputIsMalformed() {
        ByteBuf in = ByteBufAllocator.DEFAULT.buffer(0);
        try {
            assertThat(VarInt.isReadable(in)).isFalse();
            assertThatThrownBy(() -> VarInt.read(in))
                    .isInstanceOf(MalformedVarIntException.class)
                    .hasMessage("varint truncated: no bytes readable");
        } finally {
            in.release();
        }
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void truncatedEncodingIsMalformed() {
        ByteBuf in = Hex.buf("c2197c"); // first 3 of the 8 bytes of 151288809941952652
        try {
            assertThatThrownBy(() -> VarInt.read(in))
                    .isInstanceOf(MalformedVarIntException.class)
                    .isInstanceOf(org.masquerelay.protocol.ProtocolException.class)
                    .hasMessage("varint truncated: 8-byte encoding but 3 byte(s) readable");
            assertThat(in.readerIndex()).as("failed read does not advance").isZero();
        } finally {
            in.release();
        }
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void negativeValueIsRejected() {
        assertThatThrownBy(() -> VarInt.encodedLength(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("varint value: -1");
    }

    @Test
    void valueAboveMaxIsRejectedWithoutWriting() {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            assertThatThrownBy(() -> VarInt.write(out, VarInt.MAX_VALUE + 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(out.writerIndex()).isZero();
        } finally {
            out.release();
        }
    }
}
