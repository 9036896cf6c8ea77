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
import java.util.Objects;
import org.masquerelay.protocol.varint.VarInt;

/**
 * One capsule, <a href="https://www.rfc-editor.org/rfc/rfc9297#section-3.2">RFC 9297 §3.2</a>:
 * {@code Capsule Type (i) | Capsule Length (i) | Capsule Value (..)}.
 *
 * <p>Ownership: whoever holds the record owns {@link #payload()} and must release it, including
 * for capsule types it does not understand (which RFC 9297 §3.2 says to skip).
 *
 * @param type capsule type, 0 to {@link VarInt#MAX_VALUE}
 * @param payload the capsule value; its readable bytes are the value
 */
public record Capsule(long type, ByteBuf payload) {

    /** DATAGRAM capsule type (RFC 9297 §3.5). Its value is an HTTP Datagram payload. */
    public static final long TYPE_DATAGRAM = 0x00; // RFC 9297 §3.5

    /** Validates the type range and that the payload is present. */
    public Capsule {
        if (type < 0 || type > VarInt.MAX_VALUE) {
            throw new IllegalArgumentException("capsule type: " + type + " (expected: 0-" + VarInt.MAX_VALUE + ")");
        }
        Objects.requireNonNull(payload, "payload");
    }

    /** Shows the type and length but never the payload bytes (they may be user traffic). */
    @Override
    public String toString() {
        return "Capsule[type=0x" + Long.toHexString(type) + ", length=" + payload.readableBytes() + "]";
    }
}
