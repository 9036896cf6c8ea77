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

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * An issuer directory (<a href="https://www.rfc-editor.org/rfc/rfc9578#section-4">RFC 9578
 * §4</a>), the JSON object an issuer serves at {@code /.well-known/private-token-issuer-directory}
 * with media type {@code application/private-token-issuer-directory}:
 *
 * <pre>
 * {
 *   "issuer-request-uri": "https://issuer.example.net/request",
 *   "token-keys": [
 *     {"token-type": 2, "token-key": "MI...AB", "not-before": 1686913811},
 *     {"token-type": 2, "token-key": "MI...AQ"}
 *   ]
 * }
 * </pre>
 *
 * <p>"token-key" is padded base64url of the key's encoding for its token type (for 0x0002, the
 * {@link TokenKey} SubjectPublicKeyInfo). Keys are listed in the issuer's order of preference.
 *
 * <p>{@link #fromJson} parses strict RFC 8259 JSON of at most {@link #MAX_LENGTH} characters and
 * checks the type of every member the RFC defines; members it does not define are ignored, so
 * issuers can add fields. (The RFC's own example has trailing commas and is therefore rejected.)
 *
 * @param issuerRequestUri where to send TokenRequests, an absolute URL or one relative to the
 *     directory
 * @param tokenKeys the issuer's keys, most preferred first
 */
public record IssuerDirectory(String issuerRequestUri, List<TokenKeyEntry> tokenKeys) {

    /** Longest directory {@link #fromJson} reads, in characters. */
    public static final int MAX_LENGTH = 65_536;

    private static final String WHAT = "issuer directory";

    /**
     * One member of "token-keys".
     *
     * @param tokenType "token-type", 0-65535
     * @param tokenKey "token-key", decoded from base64url; its format depends on the token type
     * @param notBefore "not-before", UNIX seconds from which the key may be used, if given
     */
    public record TokenKeyEntry(int tokenType, byte[] tokenKey, OptionalLong notBefore) {

        /**
         * Validates and copies the key.
         *
         * @throws MalformedTokenException if a field is out of range
         */
        public TokenKeyEntry {
            if (tokenType < 0 || tokenType > 0xFFFF) {
                throw new MalformedTokenException(WHAT + ": token-type " + tokenType + " (expected: 0-65535)");
            }
            if (tokenKey.length == 0) {
                throw new MalformedTokenException(WHAT + ": token-key is empty");
            }
            if (notBefore.isPresent() && notBefore.getAsLong() < 0) {
                throw new MalformedTokenException(
                        WHAT + ": not-before " + notBefore.getAsLong() + " (expected: 0 or more)");
            }
            tokenKey = tokenKey.clone();
        }

        /** Returns a copy of the key's encoding. */
        @Override
        public byte[] tokenKey() {
            return tokenKey.clone();
        }

        /** Returns whether a client may use the key at {@code epochSecond} (RFC 9578 §4). */
        public boolean usableAt(long epochSecond) {
            return notBefore.isEmpty() || notBefore.getAsLong() <= epochSecond;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenKeyEntry other
                    && tokenType == other.tokenType
                    && Arrays.equals(tokenKey, other.tokenKey)
                    && notBefore.equals(other.notBefore);
        }

        @Override
        public int hashCode() {
            return (31 * tokenType + Arrays.hashCode(tokenKey)) * 31 + notBefore.hashCode();
        }

        @Override
        public String toString() {
            return String.format(
                    "TokenKeyEntry[tokenType=0x%04x, tokenKey=%d bytes, notBefore=%s]",
                    tokenType, tokenKey.length, notBefore);
        }
    }

    /**
     * Validates the URI and copies the list.
     *
     * @throws MalformedTokenException if {@code issuerRequestUri} is not a URI reference or not
     *     Unicode text
     */
    public IssuerDirectory {
        if (issuerRequestUri.isEmpty()) {
            throw new MalformedTokenException(WHAT + ": issuer-request-uri is empty");
        }
        // java.net.URI takes unpaired surrogates as "other" characters, but JSON text is UTF-8
        // (RFC 8259 §8.1), which cannot carry them: toJson would write what fromJson refuses.
        if (issuerRequestUri
                .codePoints()
                .anyMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
            throw new MalformedTokenException(
                    WHAT + ": issuer-request-uri has an unpaired surrogate (not Unicode text)");
        }
        try {
            new URI(issuerRequestUri);
        } catch (URISyntaxException e) {
            throw new MalformedTokenException(WHAT + ": issuer-request-uri is not a URI reference (RFC 3986)");
        }
        tokenKeys = List.copyOf(tokenKeys);
    }

    /**
     * Parses a directory.
     *
     * @throws MalformedTokenException if {@code json} is too long, is not strict JSON, or lacks or
     *     mistypes a member of RFC 9578 §4
     */
    public static IssuerDirectory fromJson(String json) {
        if (json.length() > MAX_LENGTH) {
            throw new MalformedTokenException(WHAT + " length " + json.length() + " exceeds limit " + MAX_LENGTH);
        }
        if (!(Json.parse(WHAT, json) instanceof Map<?, ?> root)) {
            throw new MalformedTokenException(WHAT + ": the document must be a JSON object");
        }
        String uri = member(String.class, "issuer-request-uri", root.get("issuer-request-uri"), "a string");
        List<?> keys = member(List.class, "token-keys", root.get("token-keys"), "an array");
        List<TokenKeyEntry> entries = new ArrayList<>(keys.size());
        for (Object key : keys) {
            Map<?, ?> fields = member(Map.class, "token-keys[" + entries.size() + "]", key, "an object");
            entries.add(entry(fields));
        }
        return new IssuerDirectory(uri, entries);
    }

    /** Returns the directory as compact JSON, members in RFC 9578 §4 order. */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\"issuer-request-uri\":");
        Json.writeString(out, issuerRequestUri);
        out.append(",\"token-keys\":[");
        for (int i = 0; i < tokenKeys.size(); i++) {
            TokenKeyEntry key = tokenKeys.get(i);
            out.append(i == 0 ? "" : ",").append("{\"token-type\":").append(key.tokenType());
            out.append(",\"token-key\":");
            Json.writeString(out, Base64Url.encode(key.tokenKey));
            key.notBefore().ifPresent(t -> out.append(",\"not-before\":").append(t));
            out.append('}');
        }
        return out.append("]}").toString();
    }

    /**
     * Returns the key a client should use for {@code tokenType} at {@code epochSecond}: the first
     * of that type without a "not-before" in the future (RFC 9578 §4).
     */
    public Optional<TokenKeyEntry> preferredKey(int tokenType, long epochSecond) {
        return tokenKeys.stream()
                .filter(key -> key.tokenType() == tokenType && key.usableAt(epochSecond))
                .findFirst();
    }

    private static TokenKeyEntry entry(Map<?, ?> fields) {
        Long type = integer("token-type", fields.get("token-type"), 0xFFFF);
        String key = member(String.class, "token-key", fields.get("token-key"), "a string");
        Object notBefore = fields.get("not-before");
        return new TokenKeyEntry(
                type.intValue(),
                Base64Url.decode(WHAT + ": token-key", key),
                notBefore == null
                        ? OptionalLong.empty()
                        : OptionalLong.of(integer("not-before", notBefore, Long.MAX_VALUE)));
    }

    private static Long integer(String name, @Nullable Object value, long max) {
        Json.JsonNumber number = member(Json.JsonNumber.class, name, value, "a number");
        Long integer = number.integer(0, max);
        if (integer == null) {
            throw new MalformedTokenException(WHAT + ": \"" + name + "\" must be an integer from 0 to " + max);
        }
        return integer;
    }

    private static <T> T member(Class<T> type, String name, @Nullable Object value, String expected) {
        if (value == null) {
            throw new MalformedTokenException(WHAT + ": \"" + name + "\" is missing");
        }
        if (!type.isInstance(value)) {
            throw new MalformedTokenException(WHAT + ": \"" + name + "\" must be " + expected);
        }
        return type.cast(value);
    }
}
