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
import static org.masquerelay.protocol.PropertyCheck.forAll;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Buffers;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.Shrink;

/** Properties of RFC 9000 §16 varints: round trips, any encoding length, and hostile bytes. */
class VarIntPropertiesTest {

    @Test
    void everyValueRoundTripsThroughItsShortestEncoding() {
        forAll(VarIntGen.values()).check(value -> {
            byte[] encoded = encode(value);

            assertThat(encoded).hasSize(shortestLength(value)).hasSize(VarInt.encodedLength(value));
            assertThat(readWhole(encoded)).isEqualTo(value);
        });
    }

    @Test
    void everyLongerEncodingDecodesToTheSameValueAndReencodesShortest() {
        Gen<byte[]> anyLength = VarIntGen.values()
                .flatMap(value -> Gen.elements(1, 2, 4, 8)
                        .map(length -> Math.max(length, shortestLength(value)))
                        .map(length -> encode(value, length)));

        forAll(anyLength).check(encoded -> {
            long value = readWhole(encoded);

            assertThat(encode(value)).hasSize(shortestLength(value));
            assertThat(encode(value, encoded.length)).isEqualTo(encoded);
        });
    }

    @Test
    void anyBytesGiveAValueOrMalformedVarIntWithTheReaderIndexUnchanged() {
        Gen<byte[]> hostile =
                Gen.oneOf(Gen.bytes(0, 12), Gen.mutations(VarIntGen.values().map(VarIntPropertiesTest::encode)));

        forAll(hostile)
                .shrinkWith(Shrink.bytes())
                .check(bytes -> Buffers.read(bytes, in -> {
                    boolean readable = VarInt.isReadable(in);
                    Outcome<Long> outcome = Outcome.of(() -> VarInt.read(in), MalformedVarIntException.class);

                    int announced = bytes.length == 0 ? 1 : 1 << ((bytes[0] & 0xFF) >>> 6);
                    assertThat(outcome.failed())
                            .isEqualTo(bytes.length < announced)
                            .isNotEqualTo(readable);
                    if (outcome.failed()) {
                        assertThat(in.readerIndex()).isZero();
                    } else {
                        assertThat(in.readerIndex()).isEqualTo(announced);
                        assertThat(outcome.value()).isBetween(0L, VarInt.MAX_VALUE);
                    }
                    return null;
                }));
    }

    @Test
    void encodingFedOneByteAtATimeIsTruncatedUntilComplete() {
        forAll(VarIntGen.values()).check(value -> {
            byte[] encoded = encode(value);
            ByteBuf cumulation = ByteBufAllocator.DEFAULT.buffer(encoded.length);
            try {
                for (int i = 0; i < encoded.length - 1; i++) {
                    cumulation.writeByte(encoded[i]);
                    assertThat(VarInt.isReadable(cumulation)).isFalse();
                    assertThatThrownBy(() -> VarInt.read(cumulation)).isInstanceOf(MalformedVarIntException.class);
                    assertThat(cumulation.readerIndex()).isZero();
                }
                cumulation.writeByte(encoded[encoded.length - 1]);
                assertThat(VarInt.read(cumulation)).isEqualTo(value);
                assertThat(cumulation.isReadable()).isFalse();
            } finally {
                cumulation.release();
            }
        });
    }

    @Test
    void valuesOutsideTheRangeAreRefusedWithoutWriting() {
        Gen<Long> outside = Gen.oneOf(Gen.longs(Long.MIN_VALUE, -1), Gen.longs(VarInt.MAX_VALUE + 1, Long.MAX_VALUE));

        forAll(outside).check(value -> {
            ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
            try {
                assertThatThrownBy(() -> VarInt.write(out, value)).isInstanceOf(IllegalArgumentException.class);
                assertThat(out.writerIndex()).isZero();
            } finally {
                out.release();
            }
        });
    }

    /** The shortest of RFC 9000 §16's lengths whose 2^(8L-2) exceeds {@code value}. */
    static int shortestLength(long value) {
        return value < 1L << 6 ? 1 : value < 1L << 14 ? 2 : value < 1L << 30 ? 4 : 8;
    }

    /** Encodes with {@link VarInt#write}. */
    static byte[] encode(long value) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(8);
        VarInt.write(out, value);
        return Buffers.drain(out);
    }

    /** Encodes in {@code length} bytes by the §16 table, independently of {@link VarInt#write}. */
    static byte[] encode(long value, int length) {
        long prefixed = value | (long) Integer.numberOfTrailingZeros(length) << (8 * length - 2);
        byte[] out = new byte[length];
        for (int i = length - 1; i >= 0; i--, prefixed >>>= 8) {
            out[i] = (byte) prefixed;
        }
        return out;
    }

    private static long readWhole(byte[] encoded) {
        return Buffers.read(encoded, in -> {
            long value = VarInt.read(in);
            assertThat(in.isReadable()).as("bytes left after the varint").isFalse();
            return value;
        });
    }
}
