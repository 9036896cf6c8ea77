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
package org.masquerelay.pool;

import ch.hsr.geohash.GeoHash;
import ch.hsr.geohash.WGS84Point;

/**
 * Geohash text as the relays exchange it in {@code sec-ch-geohash} and the geo assertion
 * (docs/architecture.md §4): lower-case base32 ({@code 0-9 b-h j k m n p-z}), 1 to 12 characters. Encoding and
 * decoding are ch.hsr geohash's; this class adds the input checks that library leaves out (it
 * silently mis-decodes letters outside the alphabet).
 */
public final class Geohashes {
    /** The ingress default: 5 characters, a cell of about 4.9 km x 4.9 km. */
    public static final int DEFAULT_PRECISION = 5;
    /** 12 characters are 60 bits, the most ch.hsr geohash's 64-bit value holds. */
    public static final int MAX_PRECISION = 12;

    static final String ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";
    private static final int MAX_ECHO = 16;

    private Geohashes() {}

    /**
     * Returns {@code geohash} unchanged if it is well formed.
     *
     * @throws IllegalArgumentException naming the first offending character, or the length
     */
    public static String validate(String geohash) {
        if (geohash == null || geohash.isEmpty()) {
            throw new IllegalArgumentException("geohash \"\" (expected: 1-" + MAX_PRECISION + " characters)");
        }
        if (geohash.length() > MAX_PRECISION) {
            throw new IllegalArgumentException("geohash " + echo(geohash) + " has " + geohash.length()
                    + " characters (expected: 1-" + MAX_PRECISION + ")");
        }
        for (int i = 0; i < geohash.length(); i++) {
            char c = geohash.charAt(i);
            if (ALPHABET.indexOf(c) < 0) {
                String hint = ALPHABET.indexOf(Character.toLowerCase(c)) >= 0
                        ? "; geohashes are lower case"
                        : "; a, i, l and o are not in it";
                throw new IllegalArgumentException("geohash " + echo(geohash) + " has " + describe(c) + " at index " + i
                        + " (expected: the geohash base32 alphabet " + ALPHABET + hint + ")");
            }
        }
        return geohash;
    }

    /** The centre of the geohash cell: the point the egress measures distances from. */
    public static Coordinates centre(String geohash) {
        WGS84Point p =
                GeoHash.fromGeohashString(validate(geohash)).getBoundingBox().getCenter();
        return new Coordinates(p.getLatitude(), p.getLongitude());
    }

    /** The geohash of {@code point} with {@code precision} characters (1-12). */
    public static String encode(Coordinates point, int precision) {
        if (precision < 1 || precision > MAX_PRECISION) {
            throw new IllegalArgumentException(
                    "geohash precision " + precision + " (expected: 1-" + MAX_PRECISION + ")");
        }
        return GeoHash.geoHashStringWithCharacterPrecision(point.latitude(), point.longitude(), precision);
    }

    /** The geohash of a looked-up location, as the ingress asserts it. */
    public static String encode(GeoLocation location, int precision) {
        return encode(location.coordinates(), precision);
    }

    /** {@link #encode(GeoLocation, int)} at {@link #DEFAULT_PRECISION}. */
    public static String encode(GeoLocation location) {
        return encode(location, DEFAULT_PRECISION);
    }

    private static String echo(String s) {
        // Never echo more than a short prefix of what a peer sent (docs/architecture.md §3).
        return s.length() <= MAX_ECHO ? '"' + s + '"' : '"' + s.substring(0, MAX_ECHO) + "\"...";
    }

    private static String describe(char c) {
        return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
