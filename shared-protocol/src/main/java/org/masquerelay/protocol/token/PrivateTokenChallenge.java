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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One {@code PrivateToken} challenge of a {@code WWW-Authenticate} or {@code Proxy-Authenticate}
 * field (<a href="https://www.rfc-editor.org/rfc/rfc9577#section-2.1.2">RFC 9577 §2.1.2</a>):
 *
 * <pre>
 * PrivateToken challenge="&lt;base64url TokenChallenge&gt;",
 *              token-key="&lt;base64url key&gt;", max-age=10
 * </pre>
 *
 * <p>The values are kept as bytes because their layout depends on the token type, and clients
 * must skip challenges of types they do not support (RFC 9577 §2.1.1), including grease types;
 * {@link #tokenType()} tells which, and {@link TokenChallenge#decode} reads the default
 * structure.
 *
 * <p>{@link #parse} takes a whole field value: every challenge in it, of any scheme, must be
 * well-formed RFC 9110 §11 syntax, and the PrivateToken ones are returned in order. Binary values
 * must be padded base64url ("the base64url value MUST include padding"). A PrivateToken challenge
 * needs "challenge"; "token-key" and "max-age" are optional; "realm" and unknown parameters are
 * ignored as the RFC requires. Field values longer than {@link #MAX_FIELD_LENGTH} are rejected.
 *
 * @param challenge the encoded TokenChallenge, at least the 2-byte token_type
 * @param tokenKey the encoded issuer key, or {@code null} when the challenge omits it (RFC 9577
 *     §2.1.2 lets deployments distribute keys out of band)
 * @param maxAge seconds for which the origin accepts the challenge, if given
 */
public record PrivateTokenChallenge(byte[] challenge, byte @Nullable [] tokenKey, OptionalLong maxAge) {

    /** The authentication scheme (RFC 9577 §2). */
    public static final String SCHEME = "PrivateToken";

    /** Longest field value {@link #parse} reads, in characters. */
    public static final int MAX_FIELD_LENGTH = AuthHeaderParser.MAX_FIELD_LENGTH;

    /**
     * Largest max-age: {@link #parse} reads at most 18 digits, and a challenge must never be
     * written in a form it would refuse.
     */
    public static final long MAX_MAX_AGE = 999_999_999_999_999_999L;

    private static final String FIELD = "PrivateToken challenge list";

    /**
     * Validates and copies the values.
     *
     * @throws MalformedTokenException if the challenge is shorter than a token_type or max-age is
     *     outside 0 to {@value #MAX_MAX_AGE}
     */
    public PrivateTokenChallenge {
        if (challenge.length < 2) {
            throw new MalformedTokenException(
                    FIELD + ": challenge of " + challenge.length + " bytes has no token_type");
        }
        if (maxAge.isPresent() && (maxAge.getAsLong() < 0 || maxAge.getAsLong() > MAX_MAX_AGE)) {
            throw new MalformedTokenException(
                    FIELD + ": max-age " + maxAge.getAsLong() + " (expected: 0-" + MAX_MAX_AGE + ")");
        }
        challenge = challenge.clone();
        tokenKey = tokenKey == null ? null : tokenKey.clone();
    }

    /** Creates a challenge for a token type 0x0002 TokenChallenge and issuer key. */
    public static PrivateTokenChallenge of(TokenChallenge challenge, TokenKey tokenKey, OptionalLong maxAge) {
        return new PrivateTokenChallenge(challenge.encode(), tokenKey.encode(), maxAge);
    }

    /**
     * Returns the PrivateToken challenges of a {@code WWW-Authenticate} or {@code
     * Proxy-Authenticate} field value, in order; challenges of other schemes are skipped.
     *
     * @throws MalformedTokenException if the value is too long, is not an RFC 9110 §11 challenge
     *     list, or holds a PrivateToken challenge without a valid "challenge"
     */
    public static List<PrivateTokenChallenge> parse(String fieldValue) {
        List<PrivateTokenChallenge> challenges = new ArrayList<>();
        for (AuthHeaderParser.Challenge parsed : AuthHeaderParser.parseChallenges(FIELD, fieldValue)) {
            if (!parsed.scheme().equalsIgnoreCase(SCHEME)) {
                continue;
            }
            Map<String, String> params = PrivateTokenCredentials.params(FIELD, parsed);
            String challenge = PrivateTokenCredentials.required(FIELD, params, "challenge");
            String tokenKey = params.get("token-key");
            String maxAge = params.get("max-age");
            challenges.add(new PrivateTokenChallenge(
                    Base64Url.decode(FIELD + ": challenge", challenge),
                    tokenKey == null ? null : Base64Url.decode(FIELD + ": token-key", tokenKey),
                    maxAge == null ? OptionalLong.empty() : OptionalLong.of(seconds(maxAge))));
        }
        return challenges;
    }

    /** Joins challenges into one field value, in order (RFC 9577 §2.1.2.1). */
    public static String toFieldValue(List<PrivateTokenChallenge> challenges) {
        return challenges.stream().map(PrivateTokenChallenge::toFieldValue).collect(Collectors.joining(", "));
    }

    /** Returns this challenge as a field value, binary values quoted as padded base64url. */
    public String toFieldValue() {
        StringBuilder out = new StringBuilder(SCHEME)
                .append(" challenge=\"")
                .append(Base64Url.encode(challenge))
                .append('"');
        if (tokenKey != null) {
            out.append(", token-key=\"").append(Base64Url.encode(tokenKey)).append('"');
        }
        maxAge.ifPresent(seconds -> out.append(", max-age=").append(seconds));
        return out.toString();
    }

    /** Returns token_type, the first two bytes of the challenge. */
    public int tokenType() {
        return ((challenge[0] & 0xFF) << 8) | (challenge[1] & 0xFF);
    }

    /**
     * Decodes the challenge as the default TokenChallenge structure.
     *
     * @throws MalformedTokenException if it is not one
     */
    public TokenChallenge decodeChallenge() {
        return TokenChallenge.decode(challenge);
    }

    /** Returns a copy of the encoded TokenChallenge. */
    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    /** Returns a copy of the encoded issuer key, or {@code null} if the challenge has none. */
    @Override
    public byte @Nullable [] tokenKey() {
        return tokenKey == null ? null : tokenKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivateTokenChallenge other
                && Arrays.equals(challenge, other.challenge)
                && Arrays.equals(tokenKey, other.tokenKey)
                && maxAge.equals(other.maxAge);
    }

    @Override
    public int hashCode() {
        int hash = 31 * Arrays.hashCode(challenge) + Arrays.hashCode(tokenKey);
        return 31 * hash + maxAge.hashCode();
    }

    @Override
    public String toString() {
        return String.format(
                "PrivateTokenChallenge[tokenType=0x%04x, challenge=%d bytes, tokenKey=%s," + " maxAge=%s]",
                tokenType(), challenge.length, tokenKey == null ? "absent" : tokenKey.length + " bytes", maxAge);
    }

    /** max-age: delta-seconds, 1*DIGIT (RFC 9111 §1.2.2), here at most 18 digits. */
    private static long seconds(String value) {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
            throw new MalformedTokenException(FIELD + ": max-age must be 1 to 18 decimal digits");
        }
        return Long.parseLong(value);
    }
}
