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

class CoordinatesTest {
    static final Coordinates LONDON = new Coordinates(51.5072, -0.1276);
    static final Coordinates PARIS = new Coordinates(48.8566, 2.3522);
    static final Coordinates TOKYO = new Coordinates(35.6762, 139.6503);

    @Test
    void haversineMatchesPublishedGreatCircleDistances() {
        // Great-circle figures on the 6371 km sphere: London-Paris 343.6 km, London-Tokyo 9559 km.
        assertThat(LONDON.distanceKm(PARIS)).isCloseTo(343.6, within(0.5));
        assertThat(LONDON.distanceKm(TOKYO)).isCloseTo(9559, within(5.0));
        assertThat(PARIS.distanceKm(LONDON)).isEqualTo(LONDON.distanceKm(PARIS));
        assertThat(LONDON.distanceKm(LONDON)).isZero();
    }

    @Test
    void antipodesAreHalfTheCircumference() {
        double half = Math.PI * Coordinates.EARTH_RADIUS_KM;
        assertThat(new Coordinates(0, 0).distanceKm(new Coordinates(0, 180))).isCloseTo(half, within(1e-6));
        assertThat(new Coordinates(90, 0).distanceKm(new Coordinates(-90, 0))).isCloseTo(half, within(1e-6));
        // Across the antimeridian the short way round: 2 degrees of longitude at the equator.
        assertThat(new Coordinates(0, 179).distanceKm(new Coordinates(0, -179))).isCloseTo(half / 90, within(1e-6));
    }

    @Test
    void outOfRangeOrNaNIsRefused() {
        assertThatThrownBy(() -> new Coordinates(90.5, 0)).hasMessage("latitude 90.5 (expected: -90 to 90)");
        assertThatThrownBy(() -> new Coordinates(0, -180.1)).hasMessage("longitude -180.1 (expected: -180 to 180)");
        assertThatThrownBy(() -> new Coordinates(Double.NaN, 0)).hasMessage("latitude NaN (expected: -90 to 90)");
    }
}
