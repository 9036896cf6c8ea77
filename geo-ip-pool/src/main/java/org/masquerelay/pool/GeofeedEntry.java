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

import java.util.Objects;
import org.masquerelay.config.IpPrefix;

/**
 * One row of an RFC 8805 geofeed: {@code ip_prefix,alpha2code,region,city,postal_code}
 * (§2.1.1). Empty strings stand for empty fields. The writer never fills the deprecated postal
 * code (§2.1.1.5); the parser keeps what a feed holds.
 */
public record GeofeedEntry(IpPrefix prefix, String country, String region, String city, String postalCode)
        implements Comparable<GeofeedEntry> {
    public GeofeedEntry {
        Objects.requireNonNull(prefix, "prefix");
        country = country == null ? "" : country;
        region = region == null ? "" : region;
        city = city == null ? "" : city;
        postalCode = postalCode == null ? "" : postalCode;
        if (!country.isEmpty() && !Iso3166.isCountry(country)) {
            throw new IllegalArgumentException("country " + country + " (expected: " + Iso3166.COUNTRY_EXPECTED + ")");
        }
        if (!region.isEmpty() && !Iso3166.isSubdivisionOf(region, country)) {
            throw new IllegalArgumentException(
                    "region " + region + " (expected: " + Iso3166.regionExpected(country) + ")");
        }
        if (!isFreeText(city) || !isFreeText(postalCode)) {
            throw new IllegalArgumentException("city " + city + " or postal code " + postalCode
                    + " (expected: text without commas, double quotes or control characters)");
        }
    }

    /** RFC 8805 §2.1.1.4: free UTF-8 text without commas; this writer also refuses what would need quoting. */
    static boolean isFreeText(String s) {
        return s.chars().noneMatch(c -> c == ',' || c == '"' || Character.isISOControl(c));
    }

    /** IPv4 before IPv6, then by address, then shorter prefixes first: the order feeds are written in. */
    @Override
    public int compareTo(GeofeedEntry o) {
        return prefix.compareTo(o.prefix);
    }

    /** The row as written, without the line feed. */
    public String toCsv() {
        return prefix + "," + country + "," + region + "," + city + "," + postalCode;
    }
}
