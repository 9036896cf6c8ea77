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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.masquerelay.protocol.varint.VarInt;

/**
 * Serializes capsules, <a href="https://www.rfc-editor.org/rfc/rfc9297#section-3.2">RFC 9297
 * §3.2</a>, including the DATAGRAM capsule (<a
 * href="https://www.rfc-editor.org/rfc/rfc9297#section-3.5">§3.5</a>) that carries a connect-udp
 * payload (<a href="https://www.rfc-editor.org/rfc/rfc9298#section-5">RFC 9298 §5</a>).
 *
 * <p>The payload is copied: neither its reference count nor its indices change, so the caller
 * still owns and releases it. Stateless and thread-safe.
 */
public final class CapsuleEncoder {

    private CapsuleEncoder() {}

    /**
     * Returns a new buffer holding {@code type | length | payload}.
     *
     * @param alloc allocator for the returned buffer, which the caller owns
     * @param type capsule type, 0 to {@link VarInt#MAX_VALUE}
     * @param payload the readable bytes become the capsule value
     * @throws IllegalArgumentException if {@code type} is out of range
     */
    public static ByteBuf encode(ByteBufAllocator alloc, long type, ByteBuf payload) {
        int length = payload.readableBytes();
        int size = checkedSize(VarInt.encodedLength(type) + VarInt.encodedLength(length), length);
        ByteBuf out = alloc.buffer(size);
        VarInt.write(out, type);
        VarInt.write(out, length);
        out.writeBytes(payload, payload.readerIndex(), length);
        return out;
    }

    /**
     * Returns a new DATAGRAM capsule whose value is {@code context-id (i) | udpPayload} (RFC 9298
     * §5).
     *
     * @param alloc allocator for the returned buffer, which the caller owns
     * @param contextId context ID; 0 carries UDP payloads (RFC 9298 §4)
     * @param udpPayload the readable bytes become the UDP payload
     * @throws IllegalArgumentException if {@code contextId} is out of varint range
     */
    public static ByteBuf encodeDatagram(ByteBufAllocator alloc, long contextId, ByteBuf udpPayload) {
        int udpLength = udpPayload.readableBytes();
        int valueLength = checkedSize(VarInt.encodedLength(contextId), udpLength);
        int size = checkedSize(
                VarInt.encodedLength(Capsule.TYPE_DATAGRAM) + VarInt.encodedLength(valueLength), valueLength);
        ByteBuf out = alloc.buffer(size);
        VarInt.write(out, Capsule.TYPE_DATAGRAM);
        VarInt.write(out, valueLength);
        VarInt.write(out, contextId);
        out.writeBytes(udpPayload, udpPayload.readerIndex(), udpLength);
        return out;
    }

    private static int checkedSize(int header, int body) {
        if (body > Integer.MAX_VALUE - header) {
            throw new IllegalArgumentException("capsule too large: " + body + " byte payload");
        }
        return header + body;
    }
}
