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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.masquerelay.protocol.geo.Refusals.assertRefused;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.geo.GeoAssertionException.Reason;

/** The {@code sec-ch-geohash} field: an RFC 8941 §3.3.3 String, geohash '-' country. */
class SecChGeohashTest {

    @Test
    void aRequestMaySendTheGeohashWithOrWithoutTheCountry() {
        // draft-pauly-httpbis-geohash-hint-00 §2 writes "gc"; Cloudflare writes "gc-GB".
        assertThat(SecChGeohash.parseRequested("\"gc\"")).isEqualTo(new SecChGeohash.Requested("gc", null));
        assertThat(SecChGeohash.parseRequested("\"gc-GB\"")).isEqualTo(new SecChGeohash.Requested("gc", "GB"));
        assertThat(SecChGeohash.parseRequested(" \"u4pru\" ")).isEqualTo(new SecChGeohash.Requested("u4pru", null));
        assertRefused(() -> SecChGeohash.parseRequested("\"u4pruGB\""), Reason.MALFORMED)
                .hasMessage("sec-ch-geohash: geohash has 'G' at index 5 (expected: geohash base32,"
                        + " 0123456789bcdefghjkmnpqrstuvwxyz)");
        assertRefused(() -> SecChGeohash.parseRequested("\"gc-gb\""), Reason.MALFORMED);
        assertRefused(() -> SecChGeohash.parseRequested("\"\""), Reason.MALFORMED);
        assertRefused(() -> SecChGeohash.parseRequested("gc"), Reason.MALFORMED);
    }

    @Test
    void writesDesignExample() {
        assertThat(new SecChGeohash("u4pru", "GB").toHeaderValue()).isEqualTo("\"u4pru-GB\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // field value           | geohash      | country
                "\"u4pru-GB\"            | u4pru        | GB", // docs/architecture.md §4 example
                "\"u-GB\"                | u            | GB", // coarsest: one character
                "\"u4pruydqqvj8-GB\"     | u4pruydqqvj8 | GB", // finest: twelve characters
                "\"9q8yy-US\"            | 9q8yy        | US",
            })
    void parsesAndWritesBackByteForByte(String field, String geohash, String country) {
        SecChGeohash parsed = SecChGeohash.parse(field);

        assertThat(parsed).isEqualTo(new SecChGeohash(geohash, country));
        assertThat(parsed.toHeaderValue()).isEqualTo(field);
    }

    @Test
    void skipsSpacesAroundTheItem() {
        // RFC 8941 §4.2 discards leading and trailing SP.
        assertThat(SecChGeohash.parse("  \"u4pru-GB\" ")).isEqualTo(new SecChGeohash("u4pru", "GB"));
    }

    @Test
    void truncatesToACoarserCell() {
        SecChGeohash location = new SecChGeohash("u4pru", "GB");

        assertThat(location.truncate(3)).isEqualTo(new SecChGeohash("u4p", "GB"));
        assertThat(location.truncate(1)).isEqualTo(new SecChGeohash("u", "GB"));
        assertThat(location.truncate(5)).isSameAs(location);
        assertThat(location.truncate(9)).isSameAs(location);
        assertThatThrownBy(() -> location.truncate(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("precision: 0 (expected: at least 1)");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "u4pru-GB             | sec-ch-geohash: is not an RFC 8941 String",
                "`:dTRwcnUtR0I=:`     | sec-ch-geohash: is not an RFC 8941 String",
                "\"u4pru-GB\";v=1     | sec-ch-geohash: parameter 'v' not allowed at offset 14",
                "\"u4pru-GB\" x       | sec-ch-geohash: unexpected character after item at offset 11",
                "\"u4pru-GB\", \"u-GB\" | sec-ch-geohash: unexpected character after item at offset 10",
                "\"u4pru-GB           | sec-ch-geohash: unterminated string at offset 0",
                "``                   | sec-ch-geohash: expected a bare item at offset 0",
                "\"u4pruGB\"          | sec-ch-geohash: has no '-' (expected: \"<geohash>-<country>\", e.g. \"u4pru-GB\")",
                "\"-GB\"              | sec-ch-geohash: geohash is empty (expected: 1-12 geohash characters)",
                "\"u4pra-GB\"         | sec-ch-geohash: geohash has 'a' at index 4 (expected: geohash base32, 0123456789bcdefghjkmnpqrstuvwxyz)",
                "\"u4-pru-GB\"        | sec-ch-geohash: geohash has '-' at index 2 (expected: geohash base32, 0123456789bcdefghjkmnpqrstuvwxyz)",
                "\"u4pruydqqvj8z-GB\" | sec-ch-geohash: geohash has 13 characters (expected: 1-12)",
                "\"u4pru-gb\"         | sec-ch-geohash: country is not two upper-case letters (expected: ISO 3166-1 alpha-2, e.g. GB)",
                "\"u4pru-\"           | sec-ch-geohash: country is not two upper-case letters (expected: ISO 3166-1 alpha-2, e.g. GB)",
                "\"u4pru-GBR\"        | sec-ch-geohash: country is not two upper-case letters (expected: ISO 3166-1 alpha-2, e.g. GB)",
            })
    void malformedFieldIsMalformed(String field, String message) {
        assertRefused(() -> SecChGeohash.parse(field), Reason.MALFORMED).hasMessage(message);
    }

    @Test
    void oversizedFieldIsMalformed() {
        assertRefused(() -> SecChGeohash.parse("\"" + "u".repeat(63) + "\""), Reason.MALFORMED)
                .hasMessage("sec-ch-geohash: 65 characters (expected: at most 64)");
    }

    @Test
    void recordRejectsInvalidComponents() {
        assertThatThrownBy(() -> new SecChGeohash("u4pra", "GB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("geohash has 'a' at index 4");
        assertThatThrownBy(() -> new SecChGeohash("u4pru", "uk"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("country is not two upper-case letters");
    }
}
