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
import java.util.Map;

/**
 * {@code PrivateToken} credentials of an {@code Authorization} or {@code Proxy-Authorization}
 * field (<a href="https://www.rfc-editor.org/rfc/rfc9577#section-2.2.2">RFC 9577 §2.2.2</a>),
 * carrying one Token:
 *
 * <pre>
 * PrivateToken token="&lt;base64url Token&gt;"
 * </pre>
 *
 * <p>{@link #parse} requires the PrivateToken scheme, exactly one credentials, and a "token"
 * parameter in padded base64url; other parameters are ignored as the RFC requires. Field values
 * longer than {@link PrivateTokenChallenge#MAX_FIELD_LENGTH} are rejected. The token is kept as
 * bytes; {@link #decodeToken()} reads a type 0x0002 Token.
 *
 * @param token the encoded Token
 */
public record PrivateTokenCredentials(byte[] token) {

    private static final String FIELD = "PrivateToken credentials";

    /** Copies the token. */
    public PrivateTokenCredentials {
        token = token.clone();
    }

    /** Creates credentials for a Token. */
    public static PrivateTokenCredentials of(Token token) {
        return new PrivateTokenCredentials(token.encode());
    }

    /**
     * Parses an {@code Authorization} or {@code Proxy-Authorization} field value.
     *
     * @throws MalformedTokenException if the value is too long, is not one RFC 9110 §11
     *     credentials of the PrivateToken scheme, or lacks a valid "token"
     */
    public static PrivateTokenCredentials parse(String fieldValue) {
        AuthHeaderParser.Challenge parsed = AuthHeaderParser.parseCredentials(FIELD, fieldValue);
        if (!parsed.scheme().equalsIgnoreCase(PrivateTokenChallenge.SCHEME)) {
            throw new MalformedTokenException(FIELD + ": auth-scheme is not PrivateToken");
        }
        String token = required(FIELD, params(FIELD, parsed), "token");
        return new PrivateTokenCredentials(Base64Url.decode(FIELD + ": token", token));
    }

    /** Returns the credentials as a field value, the token quoted as padded base64url. */
    public String toFieldValue() {
        return PrivateTokenChallenge.SCHEME + " token=\"" + Base64Url.encode(token) + "\"";
    }

    /**
     * Decodes the token.
     *
     * @throws MalformedTokenException if it is not a type 0x0002 Token
     */
    public Token decodeToken() {
        return Token.decode(token);
    }

    /** Returns a copy of the encoded Token. */
    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivateTokenCredentials other && Arrays.equals(token, other.token);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(token);
    }

    @Override
    public String toString() {
        return "PrivateTokenCredentials[token=" + token.length + " bytes]";
    }

    /** Returns the auth-params of a PrivateToken challenge or credentials, which has no token68. */
    static Map<String, String> params(String field, AuthHeaderParser.Challenge parsed) {
        if (parsed.token68() != null) {
            throw new MalformedTokenException(field + ": PrivateToken takes auth-params, not a token68");
        }
        return parsed.params();
    }

    static String required(String field, Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null) {
            throw new MalformedTokenException(field + ": \"" + name + "\" parameter is missing");
        }
        return value;
    }
}
