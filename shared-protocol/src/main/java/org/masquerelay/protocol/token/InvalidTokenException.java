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
 * A well-formed Token failed verification (<a
 * href="https://www.rfc-editor.org/rfc/rfc9577#section-2.2.3">RFC 9577 §2.2.3</a>, <a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.4">RFC 9578 §6.4</a>): it was issued for
 * another challenge or another key, or its authenticator is not a valid signature.
 *
 * <p>The relay answers it like a missing token (407 with a fresh challenge, docs/architecture.md §3).
 */
public final class InvalidTokenException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message which check failed
     */
    public InvalidTokenException(String message) {
        super(message);
    }
}
