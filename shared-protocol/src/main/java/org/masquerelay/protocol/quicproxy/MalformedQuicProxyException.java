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

import org.masquerelay.protocol.ProtocolException;

/**
 * A connection-ID capsule or a {@code Proxy-QUIC-Forwarding} field was malformed
 * (draft-ietf-masque-quic-proxy §4, §6). A malformed capsule resets the request stream with
 * H3_MESSAGE_ERROR, as any malformed capsule does (RFC 9297 §3.3).
 */
public final class MalformedQuicProxyException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public MalformedQuicProxyException(String message) {
        super(message);
    }
}
