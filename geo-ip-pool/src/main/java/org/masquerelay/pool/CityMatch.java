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

/**
 * The city {@link PoolRegistry#nearest} chose for a geohash and country, and why.
 *
 * @param distanceKm great-circle distance from the geohash cell centre to the city
 */
public record CityMatch(City city, double distanceKm, Reason reason) {
    /** Which rule of docs/architecture.md §4 picked the city. */
    public enum Reason {
        /** The nearest city in the asserted country. */
        IN_COUNTRY,
        /** The country has no city; {@code country-fallbacks} names one. */
        COUNTRY_FALLBACK,
        /** The country has no city and no fallback entry; {@code fallback: nearest-any} applied. */
        NEAREST_ANY
    }
}
