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

import java.util.Locale;
import java.util.Set;

/**
 * Country and subdivision codes as RFC 8805 §2.1.1.2 and §2.1.1.3 use them: ISO 3166-1 alpha-2
 * ({@code GB}) and ISO 3166-2 ({@code GB-ENG}).
 *
 * <p>Countries are checked against the JDK's list of assigned alpha-2 codes, so {@code UK} or
 * {@code EU} are refused. Subdivisions are checked for shape only (country, '-', one to three
 * letters or digits): the JDK carries no subdivision list, and a stale copy of ISO's would
 * refuse codes ISO adds later.
 */
public final class Iso3166 {
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    /** What every error message says a country must be. */
    public static final String COUNTRY_EXPECTED = "an ISO 3166-1 alpha-2 country code such as GB";

    private Iso3166() {}

    /** Whether {@code code} is an assigned ISO 3166-1 alpha-2 code, in upper case. */
    public static boolean isCountry(String code) {
        return code != null && code.length() == 2 && COUNTRIES.contains(code);
    }

    /** Whether {@code region} has the ISO 3166-2 shape and belongs to {@code country}. */
    public static boolean isSubdivisionOf(String region, String country) {
        return region != null
                && country != null
                && region.matches("[A-Z]{2}-[A-Z0-9]{1,3}")
                && region.startsWith(country + "-");
    }

    /** What every error message says a region of {@code country} must be. */
    public static String regionExpected(String country) {
        return "an ISO 3166-2 code of " + (country == null || country.isEmpty() ? "the country" : country) + ": "
                + (country == null || country.isEmpty() ? "CC" : country) + "- and 1-3 letters or digits";
    }
}
