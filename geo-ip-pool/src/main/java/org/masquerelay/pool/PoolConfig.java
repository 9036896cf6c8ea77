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

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.config.YamlConfigLoader;

/**
 * The pool registry file: the cities an egress can appear to be in, and the source prefixes of
 * each (docs/architecture.md §4). The egress selects addresses from it and exports its RFC 8805 geofeed from it,
 * so the two never disagree.
 *
 * <pre>{@code
 * rotation-period: PT1H          # optional, default PT1H: source addresses change every epoch
 * fallback: deny                 # optional, default deny; or nearest-any
 * country-fallbacks:             # optional; checked before `fallback`
 *   IE: london                   # clients asserted in IE use london
 * cities:
 *   - id: london                 # [a-z0-9] words joined by '-'; unique
 *     name: London               # the RFC 8805 city field: no commas or quotes
 *     country: GB                # ISO 3166-1 alpha-2
 *     region: GB-ENG             # optional ISO 3166-2 code of that country
 *     latitude: 51.5072          # degrees, -90 to 90
 *     longitude: -0.1276         # degrees, -180 to 180
 *     prefixes: [127.101.0.0/28, "2001:db8:101::/64"]
 * }</pre>
 *
 * <p>Validation reports every problem at once, each with its YAML path: unknown codes,
 * coordinates out of range, non-canonical prefixes (with the canonical form), prefixes that
 * overlap anywhere in the file (naming both paths), two entries with the same id or the same
 * country, region and name, cities without prefixes, and fallbacks naming unknown cities or
 * countries that have cities of their own (such an entry would never apply).
 */
public record PoolConfig(
        @Nullable Duration rotationPeriod,
        @Nullable String fallback,
        @Nullable Map<String, String> countryFallbacks,
        List<CityConfig> cities)
        implements YamlConfigLoader.Validated {
    public static final Duration DEFAULT_ROTATION_PERIOD = Duration.ofHours(1);
    /** Rotation epochs are counted in milliseconds; below a second they only churn sockets. */
    public static final Duration MIN_ROTATION_PERIOD = Duration.ofSeconds(1);

    public Duration rotationPeriodOrDefault() {
        return rotationPeriod == null ? DEFAULT_ROTATION_PERIOD : rotationPeriod;
    }

    public FallbackPolicy fallbackOrDefault() {
        return fallback == null
                ? FallbackPolicy.DENY
                : FallbackPolicy.of(fallback).orElseThrow();
    }

    public Map<String, String> countryFallbacksOrEmpty() {
        return countryFallbacks == null ? Map.of() : countryFallbacks;
    }

    @Override
    public void validate(ConfigErrors errors) {
        if (rotationPeriod != null) {
            errors.check(
                    rotationPeriod.compareTo(MIN_ROTATION_PERIOD) >= 0,
                    "rotation-period",
                    rotationPeriod,
                    "at least " + MIN_ROTATION_PERIOD);
        }
        if (fallback != null) {
            errors.check(FallbackPolicy.of(fallback).isPresent(), "fallback", fallback, "deny or nearest-any");
        }
        if (cities == null) {
            errors.missing("cities");
            return;
        }
        if (cities.isEmpty()) {
            errors.add("cities", "[]", "at least one city");
        }
        Map<String, String> idPaths = new HashMap<>();
        Map<String, String> placePaths = new HashMap<>();
        Set<String> countriesWithCities = new HashSet<>();
        List<PrefixAt> prefixes = new ArrayList<>();
        for (int i = 0; i < cities.size(); i++) {
            String path = "cities[" + i + "]";
            CityConfig c = cities.get(i);
            if (c == null) {
                errors.missing(path);
                continue;
            }
            c.validate(path, errors).forEach((at, p) -> prefixes.add(new PrefixAt(p, at)));
            if (c.id() != null) {
                String first = idPaths.putIfAbsent(c.id(), path);
                errors.check(
                        first == null, path + ".id", c.id(), "a unique id; " + first + ".id is " + c.id() + " too");
            }
            if (c.country() != null) {
                countriesWithCities.add(c.country());
            }
            if (c.country() != null && c.name() != null) {
                String place =
                        c.country() + ", " + c.regionOrEmpty() + ", " + c.name().toLowerCase(Locale.ROOT);
                String first = placePaths.putIfAbsent(place, path);
                errors.check(
                        first == null,
                        path,
                        c.country() + "/" + c.regionOrEmpty() + "/" + c.name(),
                        "one entry per city; " + first + " has the same country, region and name");
            }
        }
        checkOverlaps(prefixes, errors);
        countryFallbacksOrEmpty().forEach((country, cityId) -> {
            String path = "country-fallbacks." + country;
            if (errors.check(Iso3166.isCountry(country), path, country, Iso3166.COUNTRY_EXPECTED + " as the key")) {
                errors.check(
                        !countriesWithCities.contains(country),
                        path,
                        cityId,
                        "only countries without cities; " + country + " has its own, so this entry never applies");
            }
            errors.check(
                    cityId != null && idPaths.containsKey(cityId),
                    path,
                    cityId,
                    "the id of a city in cities: "
                            + String.join(
                                    ", ", idPaths.keySet().stream().sorted().toList()));
        });
    }

    private record PrefixAt(IpPrefix prefix, String path) {}

    /**
     * Prefixes either nest or are disjoint. Sorted by address then length, a prefix's containers
     * come before it, and those still covering it form a stack: so each overlap is found against
     * its nearest container in O(n log n), however large the file.
     */
    private static void checkOverlaps(List<PrefixAt> prefixes, ConfigErrors errors) {
        prefixes.sort(Comparator.comparing(PrefixAt::prefix).thenComparing(PrefixAt::path));
        Deque<PrefixAt> open = new ArrayDeque<>();
        for (PrefixAt p : prefixes) {
            while (!open.isEmpty() && !open.peek().prefix().contains(p.prefix())) {
                open.pop();
            }
            if (!open.isEmpty()) {
                PrefixAt outer = open.peek();
                errors.add(
                        p.path(),
                        p.prefix(),
                        "a prefix that overlaps no other; " + outer.path() + " is " + outer.prefix());
            }
            open.push(p);
        }
    }
}
