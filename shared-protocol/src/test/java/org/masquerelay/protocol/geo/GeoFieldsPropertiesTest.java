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
import static org.masquerelay.protocol.PropertyCheck.forAll;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.geo.GeoAssertionException.Reason;
import org.masquerelay.protocol.sfv.SfvGen;

/**
 * Properties of the two location fields (docs/architecture.md §4): {@code geo-assertion} has exactly one encoding
 * per assertion, so every other spelling of the same Dictionary is refused, and {@code
 * sec-ch-geohash} round-trips; any text gives a value or {@link GeoAssertionException} with reason
 * {@link Reason#MALFORMED}.
 */
class GeoFieldsPropertiesTest {

    /** A location and the precision to cut it to. */
    record Truncation(SecChGeohash location, int precision) {}

    private static final Gen<String> GEOHASHES =
            Gen.strings(GeoSyntax.GEOHASH_ALPHABET, 1, GeoSyntax.MAX_GEOHASH_LENGTH);
    private static final Gen<String> COUNTRIES = Gen.strings("ABCGUXZ", 2, 2);
    private static final Gen<String> KEY_IDS = Gen.strings("AZaz09_-", 1, GeoSyntax.MAX_KEY_ID_LENGTH);

    /** Unix seconds up to the 15-digit limit, across the varint lengths of the signed bytes. */
    private static final Gen<Long> NOT_AFTER = Gen.longs(0, GeoAssertion.MAX_NOT_AFTER)
            .withEdgeCases(List.of(63L, 64L, (1L << 30) - 1, 1L << 30, 1_764_003_600L));

    private static final Gen<GeoAssertion> ASSERTIONS = Gen.combine(
            GEOHASHES, COUNTRIES, NOT_AFTER, KEY_IDS, Gen.bytes(GeoAssertion.SIGNATURE_LENGTH), GeoAssertion::new);

    private static final Gen<SecChGeohash> LOCATIONS = Gen.combine(GEOHASHES, COUNTRIES, SecChGeohash::new);

    private static final String HOSTILE_CHARS = SfvGen.HOSTILE_CHARS + "ghcexpkidsigu4GB=:";

    @Test
    void assertionsRoundTripByteForByte() {
        forAll(ASSERTIONS).check(assertion -> {
            String value = assertion.toHeaderValue();

            assertThat(value.length()).isLessThanOrEqualTo(GeoAssertion.MAX_FIELD_LENGTH);
            assertThat(GeoAssertion.parse(value)).isEqualTo(assertion);
            assertThat(GeoAssertion.parse(value).toHeaderValue()).isEqualTo(value);
            assertThat(assertion.location()).isEqualTo(new SecChGeohash(assertion.geohash(), assertion.country()));
        });
    }

    @Test
    void everyOtherSpellingOfAnAssertionIsMalformed() {
        Gen<String> respelled =
                ASSERTIONS.map(GeoAssertion::toHeaderValue).flatMap(GeoFieldsPropertiesTest::respellings);

        forAll(respelled)
                .shrinkWith(Shrink.string())
                .check(value -> assertThatThrownBy(() -> GeoAssertion.parse(value))
                        .isInstanceOfSatisfying(
                                GeoAssertionException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED)));
    }

    @Test
    void anyTextGivesTheOneCanonicalAssertionOrMalformed() {
        Gen<String> hostile = Gen.oneOf(
                Gen.strings(HOSTILE_CHARS, 0, 40),
                Gen.textMutations(ASSERTIONS.map(GeoAssertion::toHeaderValue), HOSTILE_CHARS),
                Gen.textMutations(ASSERTIONS.map(GeoAssertion::toHeaderValue), "0123456789"));

        forAll(hostile)
                .shrinkWith(Shrink.string())
                .check(value -> Outcome.of(() -> GeoAssertion.parse(value), GeoAssertionException.class)
                        .ifError(GeoFieldsPropertiesTest::assertMalformed)
                        .ifValue(assertion ->
                                assertThat(assertion.toHeaderValue()).isEqualTo(value)));
    }

    @Test
    void locationsRoundTripWithAnySpacesAroundAndTruncateToPrefixes() {
        forAll(Gen.combine(LOCATIONS, Gen.ints(1, 13), Truncation::new)).check(t -> {
            SecChGeohash location = t.location();
            int precision = t.precision();
            String value = location.toHeaderValue();

            assertThat(SecChGeohash.parse(value)).isEqualTo(location);
            assertThat(SecChGeohash.parse("  " + value + " ")).isEqualTo(location);
            SecChGeohash coarser = location.truncate(precision);
            assertThat(location.geohash()).startsWith(coarser.geohash());
            assertThat(coarser.geohash())
                    .hasSize(Math.min(precision, location.geohash().length()));
            assertThat(SecChGeohash.parse(coarser.toHeaderValue())).isEqualTo(coarser);
        });
    }

    @Test
    void anyTextGivesALocationThatRoundTripsOrMalformed() {
        Gen<String> hostile = Gen.oneOf(
                Gen.strings(HOSTILE_CHARS, 0, 24),
                Gen.textMutations(LOCATIONS.map(SecChGeohash::toHeaderValue), HOSTILE_CHARS));

        forAll(hostile)
                .shrinkWith(Shrink.string())
                .check(value -> Outcome.of(() -> SecChGeohash.parse(value), GeoAssertionException.class)
                        .ifError(GeoFieldsPropertiesTest::assertMalformed)
                        .ifValue(location -> assertThat(SecChGeohash.parse(location.toHeaderValue()))
                                .isEqualTo(location)));
    }

    private static void assertMalformed(Throwable refusal) {
        assertThat(((GeoAssertionException) refusal).reason()).isEqualTo(Reason.MALFORMED);
    }

    /** Other RFC 8941 spellings of the same Dictionary, or of one with an extra parameter. */
    private static Gen<String> respellings(String value) {
        return Gen.elements(
                " " + value,
                value + " ",
                value.replace(", ", ","),
                value.replace(", ", " ,  "),
                value.replace("==:", ":"), // RFC 8941 §4.2.7 lets parsers take unpadded base64
                value.replace("exp=", "exp=0"),
                value.replaceFirst("\"(, cc)", "\";x$1"), // a parameter on gh
                value.replace("sig=", "x=?1, sig="));
    }
}
