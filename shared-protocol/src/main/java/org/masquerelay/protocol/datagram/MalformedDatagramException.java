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

import org.masquerelay.protocol.ProtocolException;

/**
 * An HTTP/3 Datagram (<a href="https://www.rfc-editor.org/rfc/rfc9297#section-2.1">RFC 9297
 * §2.1</a>) was malformed. When it arrived in a QUIC DATAGRAM frame, the connection is closed
 * with {@link HttpDatagram#H3_DATAGRAM_ERROR} (docs/architecture.md §3).
 */
public final class MalformedDatagramException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was malformed
     */
    public MalformedDatagramException(String message) {
        super(message);
    }
}
