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
package org.masquerelay.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import java.nio.ByteBuffer;

/**
 * The process generation a relay writes into every connection ID it issues, so that after a socket
 * handover (docs/architecture.md §7.1) the new process can tell the packets of the old
 * process's connections from its own by their destination ID alone.
 *
 * <p>The generation is 16 bits at bytes 2 and 3 of the ID. Bytes 0 and 1 stay free for Netty's
 * {@code QuicCodecDispatcher}, which puts the socket's index there (it reads the first two bytes
 * of a short header's ID, {@code QuicCodecDispatcher.decodeIdx}); the rest stays what the wrapped
 * generator made. An ID shorter than 4 bytes is left as it is.
 */
public final class ConnectionIdGeneration {
    /** Where the generation starts in a connection ID. */
    static final int OFFSET = 2;

    private ConnectionIdGeneration() {}

    /** {@code ids} with {@code generation} written into every ID it makes. */
    public static QuicConnectionIdGenerator wrap(QuicConnectionIdGenerator ids, int generation) {
        short g = (short) generation;
        return new QuicConnectionIdGenerator() {
            @Override
            public ByteBuffer newId(int length) {
                return mark(ids.newId(length), g);
            }

            @Override
            public ByteBuffer newId(ByteBuffer input, int length) {
                return mark(ids.newId(input, length), g);
            }

            @Override
            public ByteBuffer newId(ByteBuffer scid, ByteBuffer dcid, int length) {
                return mark(ids.newId(scid, dcid, length), g);
            }

            @Override
            public int maxConnectionIdLength() {
                return ids.maxConnectionIdLength();
            }

            @Override
            public boolean isIdempotent() {
                // Overwriting two bytes keeps a deterministic generator deterministic.
                return ids.isIdempotent();
            }
        };
    }

    private static ByteBuffer mark(ByteBuffer id, short generation) {
        if (id.remaining() < OFFSET + 2) {
            return id;
        }
        ByteBuffer out = ByteBuffer.allocate(id.remaining());
        out.put(id.duplicate()).flip();
        out.putShort(OFFSET, generation);
        return out;
    }

    /**
     * The generation in the destination connection ID of the QUIC packet in {@code packet}
     * (RFC 8999 §5: a long header's ID follows its length byte at offset 5, a short header's starts
     * at offset 1), or -1 when the packet is too short or a long header's ID too short to carry one.
     */
    static int of(ByteBuf packet) {
        int r = packet.readerIndex();
        int n = packet.readableBytes();
        if (n < 1) {
            return -1;
        }
        if (isShortHeader(packet)) {
            return n < 1 + OFFSET + 2 ? -1 : packet.getUnsignedShort(r + 1 + OFFSET);
        }
        if (n < 6) {
            return -1;
        }
        int idLength = packet.getUnsignedByte(r + 5);
        if (idLength < OFFSET + 2 || n < 6 + idLength) {
            return -1;
        }
        return packet.getUnsignedShort(r + 6 + OFFSET);
    }

    /** RFC 8999 §5.2: the header form bit is 0. */
    static boolean isShortHeader(ByteBuf packet) {
        return (packet.getByte(packet.readerIndex()) & 0x80) == 0;
    }
}
