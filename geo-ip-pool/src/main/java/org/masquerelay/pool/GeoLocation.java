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
 * Where a geo database places an address: coordinates, country, and, where known, region and
 * city. Codes follow RFC 8805 §2.1.1.2-§2.1.1.3 (ISO 3166-1 alpha-2, ISO 3166-2).
 *
 * <p>Only the shape of the country code is checked here ({@code [A-Z]{2}}): commercial databases
 * use user-assigned codes such as {@code XK} that the ISO list lacks, and a lookup must not fail
 * on them. Files this project reads are held to {@link Iso3166#isCountry} by their loaders.
 *
 * @param region an ISO 3166-2 code of {@code country}, or empty when unknown
 * @param city a city name, or empty when unknown
 */
public record GeoLocation(double latitude, double longitude, String country, String region, String city) {
    public GeoLocation {
        new Coordinates(latitude, longitude); // validates the ranges
        if (country == null || !country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException("country " + country + " (expected: two upper-case letters)");
        }
        region = region == null ? "" : region;
        city = city == null ? "" : city;
        if (!region.isEmpty() && !Iso3166.isSubdivisionOf(region, country)) {
            throw new IllegalArgumentException(
                    "region " + region + " (expected: empty or " + Iso3166.regionExpected(country) + ")");
        }
    }

    public Coordinates coordinates() {
        return new Coordinates(latitude, longitude);
    }
}
