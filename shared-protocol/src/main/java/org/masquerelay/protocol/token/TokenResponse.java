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

import java.util.Arrays;

/**
 * The issuer-to-client TokenResponse for token type 0x0002 (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.2">RFC 9578 §6.2</a>), the content of an
 * {@code application/private-token-response}:
 *
 * <pre>
 * struct {
 *     uint8_t blind_sig[256];            // Nk
 * } TokenResponse;
 * </pre>
 *
 * <p>The structure carries no token_type: the client knows it from its request.
 *
 * @param blindSig the RFC 9474 blind signature, 256 bytes
 */
public record TokenResponse(byte[] blindSig) {

    /**
     * Checks the length and copies the signature.
     *
     * @throws MalformedTokenException if {@code blindSig} is not 256 bytes
     */
    public TokenResponse {
        blindSig = Token.copyOfLength("blind_sig", blindSig, PublicTokenIssuance.NK);
    }

    /**
     * Decodes a TokenResponse.
     *
     * @throws MalformedTokenException if {@code bytes} is not exactly 256 bytes
     */
    public static TokenResponse decode(byte[] bytes) {
        if (bytes.length != PublicTokenIssuance.NK) {
            throw new MalformedTokenException(
                    "TokenResponse length " + bytes.length + " (expected: " + PublicTokenIssuance.NK + ")");
        }
        return new TokenResponse(bytes);
    }

    /** Encodes the TokenResponse. */
    public byte[] encode() {
        return blindSig.clone();
    }

    /** Returns a copy of blind_sig. */
    @Override
    public byte[] blindSig() {
        return blindSig.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenResponse other && Arrays.equals(blindSig, other.blindSig);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blindSig);
    }

    @Override
    public String toString() {
        return "TokenResponse[" + blindSig.length + " bytes]";
    }
}
