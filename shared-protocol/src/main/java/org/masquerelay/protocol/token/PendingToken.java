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

import java.math.BigInteger;
import java.util.Arrays;

/**
 * What a client keeps between sending a TokenRequest and receiving the TokenResponse (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.1">RFC 9578 §6.1</a>: "The Client stores
 * the nonce and challenge_digest values locally"), plus the blind's inverse and the issuer key
 * that Finalize needs (§6.3).
 *
 * <p>The nonce and challenge_digest are kept inside token_input, which is also the start of the
 * finished Token. The inverse would let anyone who also sees the TokenResponse link the token to
 * this issuance, so {@link #toString()} leaves it out. Use a pending token once.
 *
 * @param request the TokenRequest to send to the issuer
 * @param tokenInput token_input = 0x0002 || nonce || challenge_digest || token_key_id, the
 *     message that was blinded
 * @param tokenKey the issuer key the request was blinded for
 * @param inv the inverse of the blinding factor, from RFC 9474 Blind
 */
public record PendingToken(TokenRequest request, byte[] tokenInput, TokenKey tokenKey, BigInteger inv) {

    /** Length of token_input: the Token without its authenticator. */
    static final int TOKEN_INPUT_LENGTH = Token.LENGTH - PublicTokenIssuance.NK;

    /**
     * Checks and copies token_input.
     *
     * @throws MalformedTokenException if token_input is not 98 bytes
     */
    public PendingToken {
        tokenInput = Token.copyOfLength("token_input", tokenInput, TOKEN_INPUT_LENGTH);
    }

    /** Returns a copy of token_input. */
    @Override
    public byte[] tokenInput() {
        return tokenInput.clone();
    }

    /** Returns the token's nonce, bytes 2-33 of token_input. */
    public byte[] nonce() {
        return Arrays.copyOfRange(tokenInput, 2, 2 + Token.NONCE_LENGTH);
    }

    @Override
    public String toString() {
        return "PendingToken[" + request + "]";
    }
}
