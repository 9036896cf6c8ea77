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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.IpPrefix;

/**
 * One entry of {@code cities} in the pool registry file; see {@link PoolConfig} for the format.
 * Boxed numbers so that a missing latitude is an error rather than 0.0.
 */
public record CityConfig(
        String id,
        String name,
        String country,
        @Nullable String region,
        Double latitude,
        Double longitude,
        List<String> prefixes) {
    static final String ID_PATTERN = "[a-z0-9]+(-[a-z0-9]+)*";
    static final int MAX_ID_LENGTH = 63;
    static final int MAX_NAME_LENGTH = 100;

    /** The region, or empty when the file leaves it out. */
    public String regionOrEmpty() {
        return region == null ? "" : region;
    }

    /**
     * Checks this entry's own fields and returns the prefixes that parsed, keyed by YAML path,
     * for the checks across cities.
     */
    Map<String, IpPrefix> validate(String path, ConfigErrors errors) {
        if (id == null) {
            errors.missing(path + ".id");
        } else {
            errors.check(
                    id.length() <= MAX_ID_LENGTH && id.matches(ID_PATTERN),
                    path + ".id",
                    id,
                    "lower-case letters, digits and inner hyphens, at most " + MAX_ID_LENGTH + " characters");
        }
        if (name == null) {
            errors.missing(path + ".name");
        } else {
            // RFC 8805 §2.1.1.4: free text without commas; quotes and controls would need CSV quoting.
            errors.check(
                    !name.isBlank()
                            && name.strip().equals(name)
                            && name.length() <= MAX_NAME_LENGTH
                            && name.chars().noneMatch(c -> c == ',' || c == '"' || Character.isISOControl(c)),
                    path + ".name",
                    '"' + name + '"',
                    "a city name of 1-" + MAX_NAME_LENGTH
                            + " characters without commas, double quotes, control characters or outer spaces");
        }
        if (country == null) {
            errors.missing(path + ".country");
        } else if (errors.check(Iso3166.isCountry(country), path + ".country", country, Iso3166.COUNTRY_EXPECTED)
                && region != null
                && !region.isEmpty()) {
            errors.check(
                    Iso3166.isSubdivisionOf(region, country),
                    path + ".region",
                    region,
                    Iso3166.regionExpected(country));
        }
        checkDegrees(path + ".latitude", latitude, 90, errors);
        checkDegrees(path + ".longitude", longitude, 180, errors);
        Map<String, IpPrefix> parsed = new LinkedHashMap<>();
        if (prefixes == null) {
            errors.missing(path + ".prefixes");
        } else if (prefixes.isEmpty()) {
            errors.add(path + ".prefixes", "[]", "at least one prefix");
        } else {
            for (int i = 0; i < prefixes.size(); i++) {
                String at = path + ".prefixes[" + i + "]";
                IpPrefix p = errors.prefix(at, prefixes.get(i));
                if (p != null) {
                    parsed.put(at, p);
                }
            }
        }
        return parsed;
    }

    private static void checkDegrees(String path, Double value, int limit, ConfigErrors errors) {
        if (value == null) {
            errors.missing(path);
        } else {
            errors.check(value >= -limit && value <= limit, path, value, "-" + limit + " to " + limit);
        }
    }
}
