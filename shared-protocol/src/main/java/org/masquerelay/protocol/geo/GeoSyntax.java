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

import java.util.Objects;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.sfv.StructuredFieldParser;

/**
 * Syntax of the values a location carries, and the strict start that both location fields share.
 * Each check returns {@code null} when the value is valid, else the problem without the value's
 * name, so that records can throw {@link IllegalArgumentException} and field parsers a {@link
 * GeoAssertionException} at an offset, with the same words.
 */
final class GeoSyntax {

    /** The geohash base32 alphabet (digits and lower-case letters without a, i, l, o). */
    static final String GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

    /** Twelve characters locate to a few centimetres; nothing finer is meaningful. */
    static final int MAX_GEOHASH_LENGTH = 12;

    /** Longest key id; the 11-character default ids and short operator names fit. */
    static final int MAX_KEY_ID_LENGTH = 32;

    private GeoSyntax() {}

    /** A geohash of 1 to {@value #MAX_GEOHASH_LENGTH} characters of {@link #GEOHASH_ALPHABET}. */
    static @Nullable String geohashProblem(String geohash) {
        if (geohash == null || geohash.isEmpty()) {
            return "is empty (expected: 1-" + MAX_GEOHASH_LENGTH + " geohash characters)";
        }
        if (geohash.length() > MAX_GEOHASH_LENGTH) {
            return "has " + geohash.length() + " characters (expected: 1-" + MAX_GEOHASH_LENGTH + ")";
        }
        for (int i = 0; i < geohash.length(); i++) {
            if (GEOHASH_ALPHABET.indexOf(geohash.charAt(i)) < 0) {
                return "has " + describe(geohash.charAt(i)) + " at index " + i + " (expected: geohash base32, "
                        + GEOHASH_ALPHABET + ")";
            }
        }
        return null;
    }

    /**
     * An ISO 3166-1 alpha-2 code in upper case. Only the shape is checked: the list of assigned
     * codes changes, and geo databases also use user-assigned codes such as {@code XK}.
     */
    static @Nullable String countryProblem(String country) {
        if (country == null || country.length() != 2 || !isUpper(country.charAt(0)) || !isUpper(country.charAt(1))) {
            return "is not two upper-case letters (expected: ISO 3166-1 alpha-2, e.g. GB)";
        }
        return null;
    }

    /**
     * A key id of 1 to {@value #MAX_KEY_ID_LENGTH} characters of {@code A-Z a-z 0-9 _ -}: the
     * base64url alphabet, so that default ids fit, and safe as a file name ({@code <id>.key}).
     */
    static @Nullable String keyIdProblem(String keyId) {
        if (keyId == null || keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH) {
            return "has " + (keyId == null ? 0 : keyId.length()) + " characters (expected: 1-" + MAX_KEY_ID_LENGTH
                    + ")";
        }
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (!(isUpper(c) || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return "has " + describe(c) + " at index " + i + " (expected: A-Z a-z 0-9 _ -)";
            }
        }
        return null;
    }

    /**
     * Returns an RFC 8941 parser for one field value whose errors are {@link
     * GeoAssertionException.Reason#MALFORMED}, after refusing values longer than {@code maxLength}
     * so that nothing oversized is parsed.
     */
    static StructuredFieldParser fieldParser(String field, String value, int maxLength) {
        Objects.requireNonNull(value, "fieldValue");
        if (value.length() > maxLength) {
            throw GeoAssertionException.malformed(
                    field + ": " + value.length() + " characters (expected: at most " + maxLength + ")");
        }
        return new StructuredFieldParser(field, value, GeoAssertionException::malformed);
    }

    /** Refuses every parameter: the location fields define none. */
    static BiConsumer<String, Object> noParameters(StructuredFieldParser parser) {
        return (key, value) -> {
            throw parser.fail("parameter '" + key + "' not allowed");
        };
    }

    /** Throws {@link IllegalArgumentException} {@code "<name> <problem>"} if there is a problem. */
    static void require(String name, @Nullable String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(name + " " + problem);
        }
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** Quotes printable ASCII; names anything else by code point, so messages stay printable. */
    private static String describe(char c) {
        return c >= 0x20 && c <= 0x7E ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
