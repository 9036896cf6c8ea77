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
package org.masquerelay.protocol.quicproxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a QUIC packet that are the same in every version (RFC 8999 §5): the header form
 * bit, a long header's connection IDs, and a short header's destination connection ID, whose
 * length the receiver must already know. All methods read from the reader index and never move
 * it.
 */
public final class QuicPackets {
    /** Long-header packet types of QUIC v1 (RFC 9000 §17.2). */
    public static final int TYPE_INITIAL = 0;

    public static final int TYPE_HANDSHAKE = 2;

    private static final int VERSION_1 = 1;

    private QuicPackets() {}

    /** RFC 8999 §5.2: the header form bit is 0. */
    public static boolean isShortHeader(ByteBuf packet) {
        return packet.isReadable() && (packet.getByte(packet.readerIndex()) & 0x80) == 0;
    }

    /** Whether the short header's destination connection ID starts with {@code cid}. */
    public static boolean dcidEquals(ByteBuf packet, byte[] cid) {
        int at = packet.readerIndex() + 1;
        if (packet.readableBytes() < 1 + cid.length) {
            return false;
        }
        for (int i = 0; i < cid.length; i++) {
            if (packet.getByte(at + i) != cid[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces a short header's destination connection ID of {@code oldLength} bytes with {@code
     * cid}. In place when the lengths match (the usual case: virtual IDs are chosen as long as the
     * IDs they stand for); otherwise the packet is copied into a new buffer from {@code alloc} and
     * released (draft-ietf-masque-quic-proxy §7.1).
     *
     * @return the packet with the new ID, which the caller now owns
     */
    public static ByteBuf replaceDcid(ByteBuf packet, int oldLength, byte[] cid, ByteBufAllocator alloc) {
        int start = packet.readerIndex();
        if (oldLength == cid.length) {
            packet.setBytes(start + 1, cid);
            return packet;
        }
        int rest = packet.readableBytes() - 1 - oldLength;
        ByteBuf out = alloc.directBuffer(1 + cid.length + rest);
        out.writeByte(packet.getByte(start));
        out.writeBytes(cid);
        out.writeBytes(packet, start + 1 + oldLength, rest);
        packet.release();
        return out;
    }

    /** A QUIC v1 long header's packet type (RFC 9000 §17.2), or -1 for anything else. */
    public static int longHeaderType(ByteBuf packet) {
        int at = packet.readerIndex();
        if (packet.readableBytes() < 7 || (packet.getByte(at) & 0x80) == 0 || packet.getInt(at + 1) != VERSION_1) {
            return -1;
        }
        return (packet.getByte(at) & 0x30) >> 4;
    }

    /** A long header's source connection ID (RFC 8999 §5.1), or null if the header is cut short. */
    public static byte @Nullable [] longHeaderScid(ByteBuf packet) {
        int at = packet.readerIndex() + 5;
        int end = packet.writerIndex();
        if (at >= end) {
            return null;
        }
        int dcidLength = packet.getUnsignedByte(at);
        at += 1 + dcidLength;
        if (at >= end) {
            return null;
        }
        int scidLength = packet.getUnsignedByte(at);
        if (at + 1 + scidLength > end) {
            return null;
        }
        byte[] scid = new byte[scidLength];
        packet.getBytes(at + 1, scid);
        return scid;
    }
}
