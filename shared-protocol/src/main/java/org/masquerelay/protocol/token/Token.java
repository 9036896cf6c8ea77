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

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A Token of type 0x0002 (<a href="https://www.rfc-editor.org/rfc/rfc9577#section-2.2.1">RFC 9577
 * §2.2.1</a>, <a href="https://www.rfc-editor.org/rfc/rfc9578#section-6.3">RFC 9578 §6.3</a>):
 *
 * <pre>
 * struct {
 *     uint16_t token_type = 0x0002;
 *     uint8_t nonce[32];
 *     uint8_t challenge_digest[32];
 *     uint8_t token_key_id[32];          // Nid
 *     uint8_t authenticator[256];        // Nk
 * } Token;
 * </pre>
 *
 * <p>It is what a client sends in {@code Authorization: PrivateToken token=...}. The accessors
 * return copies.
 *
 * @param nonce the client's 32 random bytes; a relay keys its double-spend set on them
 * @param challengeDigest SHA-256 of the TokenChallenge, 32 bytes
 * @param tokenKeyId SHA-256 of the issuer's encoded key, 32 bytes
 * @param authenticator the RSASSA-PSS signature over the fields before it, 256 bytes
 */
public record Token(byte[] nonce, byte[] challengeDigest, byte[] tokenKeyId, byte[] authenticator) {

    /** Length of nonce and of challenge_digest (RFC 9577 §2.2.1). */
    public static final int NONCE_LENGTH = 32;

    /** Length of an encoded type 0x0002 Token: 2 + 32 + 32 + Nid + Nk = 354. */
    public static final int LENGTH = 2 + NONCE_LENGTH + NONCE_LENGTH + PublicTokenIssuance.NID + PublicTokenIssuance.NK;

    /**
     * Checks the field lengths and copies the fields.
     *
     * @throws MalformedTokenException if a field has the wrong length
     */
    public Token {
        nonce = copyOfLength("nonce", nonce, NONCE_LENGTH);
        challengeDigest = copyOfLength("challenge_digest", challengeDigest, NONCE_LENGTH);
        tokenKeyId = copyOfLength("token_key_id", tokenKeyId, PublicTokenIssuance.NID);
        authenticator = copyOfLength("authenticator", authenticator, PublicTokenIssuance.NK);
    }

    /**
     * Decodes a Token.
     *
     * @throws MalformedTokenException if {@code bytes} is not exactly one type 0x0002 Token
     */
    public static Token decode(byte[] bytes) {
        PublicTokenIssuance.checkTokenType("Token", bytes);
        if (bytes.length != LENGTH) {
            throw new MalformedTokenException("Token length " + bytes.length + " (expected: " + LENGTH + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 2, bytes.length - 2);
        return new Token(
                take(in, NONCE_LENGTH),
                take(in, NONCE_LENGTH),
                take(in, PublicTokenIssuance.NID),
                take(in, PublicTokenIssuance.NK));
    }

    /** Encodes the Token. */
    public byte[] encode() {
        return ByteBuffer.allocate(LENGTH)
                .put(authenticatorInput())
                .put(authenticator)
                .array();
    }

    /**
     * Returns the AuthenticatorInput (RFC 9577 §2.2.3), token_type || nonce || challenge_digest ||
     * token_key_id: the message that the authenticator signs.
     */
    public byte[] authenticatorInput() {
        return authenticatorInput(nonce, challengeDigest, tokenKeyId);
    }

    static byte[] authenticatorInput(byte[] nonce, byte[] challengeDigest, byte[] tokenKeyId) {
        return ByteBuffer.allocate(2 + nonce.length + challengeDigest.length + tokenKeyId.length)
                .putShort((short) PublicTokenIssuance.TOKEN_TYPE)
                .put(nonce)
                .put(challengeDigest)
                .put(tokenKeyId)
                .array();
    }

    /** Returns a copy of nonce. */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** Returns a copy of challenge_digest. */
    @Override
    public byte[] challengeDigest() {
        return challengeDigest.clone();
    }

    /** Returns a copy of token_key_id. */
    @Override
    public byte[] tokenKeyId() {
        return tokenKeyId.clone();
    }

    /** Returns a copy of authenticator. */
    @Override
    public byte[] authenticator() {
        return authenticator.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Token other && Arrays.equals(encode(), other.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "Token[tokenType=0x0002, " + LENGTH + " bytes]";
    }

    static byte[] copyOfLength(String field, byte[] value, int length) {
        if (value.length != length) {
            throw new MalformedTokenException(field + " length " + value.length + " (expected: " + length + ")");
        }
        return value.clone();
    }

    private static byte[] take(ByteBuffer in, int length) {
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }
}
