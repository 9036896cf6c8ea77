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
package org.masquerelay.protocol.token;

import org.masquerelay.protocol.ProtocolException;

/**
 * A Privacy Pass structure could not be decoded: a TokenChallenge, Token, TokenRequest or
 * TokenResponse (<a href="https://www.rfc-editor.org/rfc/rfc9577#section-2">RFC 9577 §2</a>, <a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6">RFC 9578 §6</a>), a token key, an issuer
 * directory (RFC 9578 §4), a base64url value, or a {@code PrivateToken} authentication header.
 *
 * <p>An issuer answers it with 422 (RFC 9578 §6.2); an origin or relay treats the request as
 * carrying no token. Messages name the field and what was expected, never the peer's bytes.
 */
public class MalformedTokenException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was malformed
     */
    public MalformedTokenException(String message) {
        super(message);
    }
}
