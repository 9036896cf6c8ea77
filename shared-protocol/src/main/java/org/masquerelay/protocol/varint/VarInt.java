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

import io.netty.buffer.ByteBuf;

/**
 * QUIC variable-length integer encoding, <a
 * href="https://www.rfc-editor.org/rfc/rfc9000#section-16">RFC 9000 §16</a>.
 *
 * <p>The two most significant bits of the first byte give the encoded length (1, 2, 4 or 8
 * bytes); the remaining bits hold the value in network byte order. Writers always use the
 * shortest encoding; readers accept any encoding, as §16 requires ("values do not need to be
 * encoded on the minimum number of bytes").
 *
 * <p>Stateless and thread-safe. A failed read leaves the reader index where it was.
 */
public final class VarInt {

    /** Largest encodable value, 2^62-1 (RFC 9000 §16). */
    public static final long MAX_VALUE = (1L << 62) - 1;

    private static final long MAX_1_BYTE = (1L << 6) - 1;
    private static final long MAX_2_BYTES = (1L << 14) - 1;
    private static final long MAX_4_BYTES = (1L << 30) - 1;

    private VarInt() {}

    /**
     * Returns the minimal encoded length of {@code value}.
     *
     * @param value 0 to {@link #MAX_VALUE}
     * @return 1, 2, 4 or 8
     * @throws IllegalArgumentException if {@code value} is negative or above {@link #MAX_VALUE}
     */
    public static int encodedLength(long value) {
        if (value < 0 || value > MAX_VALUE) {
            throw new IllegalArgumentException("varint value: " + value + " (expected: 0-" + MAX_VALUE + ")");
        }
        if (value <= MAX_1_BYTE) {
            return 1;
        }
        if (value <= MAX_2_BYTES) {
            return 2;
        }
        if (value <= MAX_4_BYTES) {
            return 4;
        }
        return 8;
    }

    /**
     * Writes {@code value} in its minimal encoding at the writer index.
     *
     * @throws IllegalArgumentException if {@code value} is negative or above {@link #MAX_VALUE}
     */
    public static void write(ByteBuf out, long value) {
        switch (encodedLength(value)) {
            case 1 -> out.writeByte((int) value);
            case 2 -> out.writeShort((int) value | 0x4000);
            case 4 -> out.writeInt((int) value | 0x8000_0000);
            default -> out.writeLong(value | 0xC000_0000_0000_0000L);
        }
    }

    /**
     * Returns the encoded length announced by the first byte at the reader index, without reading.
     *
     * @return -1 if no byte is readable, else 1, 2, 4 or 8
     */
    public static int peekLength(ByteBuf in) {
        if (!in.isReadable()) {
            return -1;
        }
        return 1 << (in.getUnsignedByte(in.readerIndex()) >>> 6);
    }

    /** Returns whether a complete varint is readable at the reader index. */
    public static boolean isReadable(ByteBuf in) {
        int length = peekLength(in);
        return length > 0 && in.readableBytes() >= length;
    }

    /**
     * Reads a varint and advances the reader index past it.
     *
     * @throws MalformedVarIntException if fewer bytes are readable than the first byte announces;
     *     the reader index is then unchanged
     */
    public static long read(ByteBuf in) {
        int length = peekLength(in);
        if (length < 0) {
            throw new MalformedVarIntException("varint truncated: no bytes readable");
        }
        if (in.readableBytes() < length) {
            throw new MalformedVarIntException(
                    "varint truncated: " + length + "-byte encoding but " + in.readableBytes() + " byte(s) readable");
        }
        return switch (length) {
            case 1 -> in.readUnsignedByte();
            case 2 -> in.readUnsignedShort() & 0x3FFF;
            case 4 -> in.readUnsignedInt() & 0x3FFF_FFFFL;
            default -> in.readLong() & MAX_VALUE;
        };
    }
}
