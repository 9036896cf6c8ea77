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
package org.masquerelay.protocol.uri;

import org.masquerelay.protocol.ProtocolException;

/**
 * A proxy target (<a href="https://www.rfc-editor.org/rfc/rfc9298#section-3.1">RFC 9298
 * §3.1</a> host and port, or a <a href="https://www.rfc-editor.org/rfc/rfc9114#section-4.4">RFC
 * 9114 §4.4</a> CONNECT authority) was malformed. The request is answered with 400 and {@code
 * proxy-status: ...; error=http_request_error}. The message never repeats the whole host.
 */
public final class MalformedTargetException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was malformed
     */
    public MalformedTargetException(String message) {
        super(message);
    }
}
