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
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.sfv.StructuredFieldParser;

/**
 * The location a client asks the egress to use, sent on every inner request (docs/architecture.md §3, §4) as
 * the {@code sec-ch-geohash} field: an <a href="https://www.rfc-editor.org/rfc/rfc8941#section-3.3.3">RFC
 * 8941 §3.3.3</a> String Item, the geohash, {@code '-'}, and the country, for example {@code
 * "u4pru-GB"}. The field is the Geohash client hint of <a
 * href="https://datatracker.ietf.org/doc/html/draft-pauly-httpbis-geohash-hint-00#section-2">draft-pauly-httpbis-geohash-hint-00
 * §2</a>, extended with the country that docs/architecture.md §4 checks.
 *
 * <p>The geohash may be a prefix of the asserted one ({@link #truncate}): a client chooses to be
 * located more coarsely, never more finely.
 *
 * @param geohash 1-12 characters of the geohash base32 alphabet
 * @param country ISO 3166-1 alpha-2 code, upper case
 */
public record SecChGeohash(String geohash, String country) {

    /** The request field (docs/architecture.md §3). */
    public static final String FIELD = "sec-ch-geohash";

    /** Longest field value read; the longest valid one, {@code "<12>-CC"}, has 17 characters. */
    public static final int MAX_FIELD_LENGTH = 64;

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if either is outside the syntax above
     */
    public SecChGeohash {
        GeoSyntax.require("geohash", GeoSyntax.geohashProblem(geohash));
        GeoSyntax.require("country", GeoSyntax.countryProblem(country));
    }

    /**
     * Returns this location with the geohash cut to {@code precision} characters, or this location
     * if it is already that coarse.
     *
     * @throws IllegalArgumentException if {@code precision} is below 1
     */
    public SecChGeohash truncate(int precision) {
        if (precision < 1) {
            throw new IllegalArgumentException("precision: " + precision + " (expected: at least 1)");
        }
        return precision >= geohash.length() ? this : new SecChGeohash(geohash.substring(0, precision), country);
    }

    /** Returns the field value, for example {@code "u4pru-GB"} with the quotes. */
    public String toHeaderValue() {
        return "\"" + geohash + "-" + country + "\"";
    }

    /**
     * A {@code sec-ch-geohash} as a request carries it: the geohash, and the country when the value
     * has the {@code "-CC"} suffix. The draft's own form is the geohash alone ({@code "gc"});
     * Cloudflare's, like ours, adds the country ({@code "gc-GB"}). Without the suffix, the country
     * is the asserted one.
     *
     * @param geohash 1-12 characters of the geohash base32 alphabet
     * @param country ISO 3166-1 alpha-2 code, upper case; null when the value has none
     */
    public record Requested(String geohash, @Nullable String country) {
        /** Validates the components. */
        public Requested {
            GeoSyntax.require("geohash", GeoSyntax.geohashProblem(geohash));
            if (country != null) {
                GeoSyntax.require("country", GeoSyntax.countryProblem(country));
            }
        }
    }

    /**
     * Parses a {@code sec-ch-geohash} field value with the country, {@code "<geohash>-<CC>"}. As
     * RFC 8941 §4.2 allows, spaces around the String are skipped; parameters are refused, since
     * none is defined.
     *
     * @throws GeoAssertionException with reason {@link GeoAssertionException.Reason#MALFORMED} if
     *     the value is longer than {@value #MAX_FIELD_LENGTH} characters, is not a String Item, has
     *     no {@code '-'}, or either part is outside its syntax
     */
    public static SecChGeohash parse(String fieldValue) {
        String text = fieldText(fieldValue);
        if (text.lastIndexOf('-') < 0) {
            throw GeoAssertionException.malformed(
                    FIELD + ": has no '-' (expected: \"<geohash>-<country>\", e.g. \"u4pru-GB\")");
        }
        Requested r = parseText(text);
        return new SecChGeohash(r.geohash(), Objects.requireNonNull(r.country()));
    }

    /**
     * Parses a {@code sec-ch-geohash} field value as a request may send it: {@code "<geohash>"}
     * or {@code "<geohash>-<CC>"} ({@link Requested}). Otherwise as {@link #parse}.
     *
     * @throws GeoAssertionException with reason {@link GeoAssertionException.Reason#MALFORMED} if
     *     the value is longer than {@value #MAX_FIELD_LENGTH} characters, is not a String Item, or
     *     a part is outside its syntax
     */
    public static Requested parseRequested(String fieldValue) {
        return parseText(fieldText(fieldValue));
    }

    private static String fieldText(String fieldValue) {
        StructuredFieldParser parser = GeoSyntax.fieldParser(FIELD, fieldValue, MAX_FIELD_LENGTH);
        Object item = parser.parseItem(GeoSyntax.noParameters(parser));
        if (!(item instanceof String text)) {
            throw GeoAssertionException.malformed(FIELD + ": is not an RFC 8941 String");
        }
        return text;
    }

    private static Requested parseText(String text) {
        int dash = text.lastIndexOf('-');
        String geohash = dash < 0 ? text : text.substring(0, dash);
        String problem = GeoSyntax.geohashProblem(geohash);
        if (problem != null) {
            throw GeoAssertionException.malformed(FIELD + ": geohash " + problem);
        }
        if (dash < 0) {
            return new Requested(geohash, null);
        }
        String country = text.substring(dash + 1);
        problem = GeoSyntax.countryProblem(country);
        if (problem != null) {
            throw GeoAssertionException.malformed(FIELD + ": country " + problem);
        }
        return new Requested(geohash, country);
    }
}
