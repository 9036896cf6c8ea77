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
package org.masquerelay.protocol.geo;

import org.masquerelay.protocol.ProtocolException;

/**
 * Key text handed to {@link Ed25519Keys} is not an Ed25519 key in the expected <a
 * href="https://www.rfc-editor.org/rfc/rfc7468">RFC 7468</a> PEM form: wrong label, bad base64, or
 * a key of another algorithm. The message never contains key material.
 */
public final class MalformedKeyException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was wrong
     */
    public MalformedKeyException(String message) {
        super(message);
    }
}
