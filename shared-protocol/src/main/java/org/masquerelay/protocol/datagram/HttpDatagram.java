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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.masquerelay.protocol.varint.MalformedVarIntException;
import org.masquerelay.protocol.varint.VarInt;

/**
 * The payload of a QUIC DATAGRAM frame that carries an HTTP/3 Datagram (<a
 * href="https://www.rfc-editor.org/rfc/rfc9297#section-2.1">RFC 9297 §2.1</a>) for connect-udp
 * (<a href="https://www.rfc-editor.org/rfc/rfc9298#section-5">RFC 9298 §5</a>):
 *
 * <pre>
 * Quarter Stream ID (i) | Context ID (i) | Payload (..)
 * </pre>
 *
 * <p>The quarter stream ID is the request stream ID divided by four, which ties a datagram to its
 * tunnel. Readers consume one field at a time so the connection-level demultiplexer can look up
 * the tunnel before the context ID is parsed by the tunnel itself. Stateless and thread-safe.
 */
public final class HttpDatagram {

    /** Largest quarter stream ID, 2^60-1; a larger one is an H3_DATAGRAM_ERROR (RFC 9297 §2.1). */
    public static final long MAX_QUARTER_STREAM_ID = (1L << 60) - 1; // RFC 9297 §2.1

    /** HTTP/3 error code for a malformed HTTP/3 Datagram (RFC 9297 §2.1, registered in §5.2). */
    public static final long H3_DATAGRAM_ERROR = 0x33; // RFC 9297 §2.1

    private HttpDatagram() {}

    /**
     * Returns a new direct buffer (QUIC datagrams are written from direct memory) holding {@code
     * quarterStreamId | contextId | payload}. The payload is copied; its reference count and indices
     * are unchanged.
     *
     * @throws IllegalArgumentException if an ID is out of range
     */
    public static ByteBuf encode(ByteBufAllocator alloc, long quarterStreamId, long contextId, ByteBuf payload) {
        int header = overhead(quarterStreamId, contextId);
        int length = payload.readableBytes();
        if (length > Integer.MAX_VALUE - header) {
            throw new IllegalArgumentException("HTTP datagram too large: " + length + " byte payload");
        }
        ByteBuf out = alloc.directBuffer(header + length);
        VarInt.write(out, quarterStreamId);
        VarInt.write(out, contextId);
        out.writeBytes(payload, payload.readerIndex(), length);
        return out;
    }

    /**
     * Returns how many bytes {@link #encode} adds in front of the payload.
     *
     * @throws IllegalArgumentException if an ID is out of range
     */
    public static int overhead(long quarterStreamId, long contextId) {
        checkQuarterStreamId(quarterStreamId);
        return VarInt.encodedLength(quarterStreamId) + VarInt.encodedLength(contextId);
    }

    /**
     * Reads the quarter stream ID and advances past it.
     *
     * @throws MalformedDatagramException if it is truncated or above {@link #MAX_QUARTER_STREAM_ID};
     *     the reader index is then unchanged
     */
    public static long readQuarterStreamId(ByteBuf in) {
        int start = in.readerIndex();
        long value = readField(in, "quarter stream ID");
        if (value > MAX_QUARTER_STREAM_ID) {
            in.readerIndex(start);
            throw new MalformedDatagramException("quarter stream ID " + value + " exceeds " + MAX_QUARTER_STREAM_ID);
        }
        return value;
    }

    /**
     * Reads the context ID (RFC 9298 §4) and advances past it.
     *
     * @throws MalformedDatagramException if it is truncated; the reader index is then unchanged
     */
    public static long readContextId(ByteBuf in) {
        return readField(in, "context ID");
    }

    private static long readField(ByteBuf in, String field) {
        try {
            return VarInt.read(in);
        } catch (MalformedVarIntException e) {
            throw new MalformedDatagramException("HTTP datagram truncated in " + field + ": " + e.getMessage());
        }
    }

    private static void checkQuarterStreamId(long quarterStreamId) {
        if (quarterStreamId < 0 || quarterStreamId > MAX_QUARTER_STREAM_ID) {
            throw new IllegalArgumentException(
                    "quarterStreamId: " + quarterStreamId + " (expected: 0-" + MAX_QUARTER_STREAM_ID + ")");
        }
    }
}
