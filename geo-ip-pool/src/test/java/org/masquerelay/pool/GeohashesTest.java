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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeohashesTest {
    @Test
    void encodesAtTheDefaultPrecisionOfFive() {
        GeoLocation london = new GeoLocation(51.5072, -0.1276, "GB", "GB-ENG", "London");
        assertThat(Geohashes.encode(london)).isEqualTo("gcpvj");
        assertThat(Geohashes.encode(london, 4)).isEqualTo("gcpv");
        assertThat(Geohashes.encode(london, 12)).startsWith("gcpvj").hasSize(12);
        // Paris and Tokyo, the other demo cities.
        assertThat(Geohashes.encode(new Coordinates(48.8566, 2.3522), 5)).isEqualTo("u09tv");
        assertThat(Geohashes.encode(new Coordinates(35.6762, 139.6503), 5)).isEqualTo("xn76c");
    }

    @Test
    void precisionOutsideOneToTwelveIsRefused() {
        Coordinates c = new Coordinates(0, 0);
        assertThatThrownBy(() -> Geohashes.encode(c, 0)).hasMessage("geohash precision 0 (expected: 1-12)");
        assertThatThrownBy(() -> Geohashes.encode(c, 13)).hasMessage("geohash precision 13 (expected: 1-12)");
    }

    @Test
    void centreIsTheMiddleOfTheCell() {
        Coordinates centre = Geohashes.centre("gcpvj");
        // A 5-character cell spans 0.0439 degrees of latitude and longitude.
        assertThat(centre.latitude()).isCloseTo(51.5072, within(0.022));
        assertThat(centre.longitude()).isCloseTo(-0.1276, within(0.022));
        assertThat(Geohashes.encode(centre, 5)).isEqualTo("gcpvj");
        Coordinates fine = Geohashes.centre(Geohashes.encode(new Coordinates(35.6762, 139.6503), 12));
        assertThat(fine.latitude()).isCloseTo(35.6762, within(1e-6));
        assertThat(fine.longitude()).isCloseTo(139.6503, within(1e-6));
        // One character: an eighth of the longitude range by a quarter of the latitude range.
        assertThat(Geohashes.centre("u")).isEqualTo(new Coordinates(67.5, 22.5));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "u4pra        | geohash \"u4pra\" has 'a' at index 4 (expected: the geohash base32 alphabet "
                        + "0123456789bcdefghjkmnpqrstuvwxyz; a, i, l and o are not in it)",
                "U4PRU        | geohash \"U4PRU\" has 'U' at index 0 (expected: the geohash base32 alphabet "
                        + "0123456789bcdefghjkmnpqrstuvwxyz; geohashes are lower case)",
                "u4pr-        | geohash \"u4pr-\" has '-' at index 4 (expected: the geohash base32 alphabet "
                        + "0123456789bcdefghjkmnpqrstuvwxyz; a, i, l and o are not in it)",
                "u4pr u       | geohash \"u4pr u\" has U+0020 at index 4 (expected: the geohash base32 alphabet "
                        + "0123456789bcdefghjkmnpqrstuvwxyz; a, i, l and o are not in it)",
                "u4pruu4pruu4p | geohash \"u4pruu4pruu4p\" has 13 characters (expected: 1-12)",
                "u4pruu4pruu4pruu4pru | geohash \"u4pruu4pruu4pruu\"... has 20 characters (expected: 1-12)",
            })
    void malformedGeohashesGetASpecificError(String input, String message) {
        assertThatThrownBy(() -> Geohashes.validate(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> Geohashes.centre(input)).hasMessage(message);
    }

    @Test
    void emptyGeohashIsRefused() {
        assertThatThrownBy(() -> Geohashes.validate("")).hasMessage("geohash \"\" (expected: 1-12 characters)");
        assertThatThrownBy(() -> Geohashes.validate(null)).hasMessage("geohash \"\" (expected: 1-12 characters)");
    }

    @Test
    void everyAlphabetCharacterAndEveryLengthIsAccepted() {
        for (char c : Geohashes.ALPHABET.toCharArray()) {
            assertThat(Geohashes.validate(String.valueOf(c))).hasSize(1);
        }
        assertThat(Geohashes.validate("0123456789bc")).hasSize(12);
    }
}
