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

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.config.YamlConfigLoader;

/**
 * The egress's city pools (docs/architecture.md §4), loaded from a validated {@link PoolConfig} file: which city
 * serves a client located by geohash and country, and the RFC 8805 geofeed of every source prefix.
 * Immutable and safe to share between event loops.
 */
public final class PoolRegistry {
    private final Duration rotationPeriod;
    private final FallbackPolicy fallback;
    private final Map<String, String> countryFallbacks;
    private final List<City> cities;
    private final Map<String, City> byId;
    private final Map<String, List<City>> byCountry;

    private PoolRegistry(PoolConfig config) {
        rotationPeriod = config.rotationPeriodOrDefault();
        fallback = config.fallbackOrDefault();
        countryFallbacks = Map.copyOf(config.countryFallbacksOrEmpty());
        cities = config.cities().stream()
                .map(PoolRegistry::city)
                .sorted(Comparator.comparing(City::id))
                .toList();
        byId = cities.stream().collect(Collectors.toUnmodifiableMap(City::id, Function.identity()));
        byCountry = cities.stream().collect(Collectors.groupingBy(City::country, Collectors.toUnmodifiableList()));
    }

    /** Loads and validates a pool file; every problem is in the exception, with its YAML path. */
    public static PoolRegistry load(Path file) throws ConfigException {
        return new PoolRegistry(YamlConfigLoader.load(file, PoolConfig.class));
    }

    /** {@link #load} from text; {@code source} names it in errors. */
    public static PoolRegistry parse(String source, String yaml) throws ConfigException {
        return new PoolRegistry(YamlConfigLoader.parse(source, yaml, PoolConfig.class));
    }

    private static City city(CityConfig c) {
        return new City(
                c.id(),
                c.name(),
                c.country(),
                c.regionOrEmpty(),
                new Coordinates(c.latitude(), c.longitude()),
                c.prefixes().stream().map(IpPrefix::parse).toList());
    }

    public Duration rotationPeriod() {
        return rotationPeriod;
    }

    public FallbackPolicy fallback() {
        return fallback;
    }

    public Map<String, String> countryFallbacks() {
        return countryFallbacks;
    }

    /** Every city, sorted by id. */
    public List<City> cities() {
        return cities;
    }

    public Optional<City> city(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The rotation epoch of {@code now} under this file's {@code rotation-period}. */
    public long epochOf(Instant now) {
        return AddressSelector.epochOf(now, rotationPeriod);
    }

    /**
     * The city whose pool serves a client asserted at {@code geohash} in {@code country}: the
     * nearest city of that country to the cell centre; if the country has none, its
     * {@code country-fallbacks} entry; otherwise the {@link #fallback()} policy, where
     * {@link FallbackPolicy#DENY} gives empty. Equal distances go to the smaller id.
     *
     * @param country the asserted country; a well-formed code the ISO list lacks (such as XK)
     *     simply has no city
     * @throws IllegalArgumentException if the geohash or the country code is malformed
     */
    public Optional<CityMatch> nearest(String geohash, String country) {
        Coordinates centre = Geohashes.centre(geohash);
        if (country == null || !country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException("country " + country + " (expected: " + Iso3166.COUNTRY_EXPECTED + ")");
        }
        List<City> local = byCountry.get(country);
        if (local != null) {
            return Optional.of(nearest(local, centre, CityMatch.Reason.IN_COUNTRY));
        }
        String fallbackId = countryFallbacks.get(country);
        if (fallbackId != null) {
            // Validation ensures every country-fallbacks entry names a city.
            City c = Objects.requireNonNull(byId.get(fallbackId), fallbackId);
            return Optional.of(new CityMatch(c, centre.distanceKm(c.location()), CityMatch.Reason.COUNTRY_FALLBACK));
        }
        return fallback == FallbackPolicy.NEAREST_ANY
                ? Optional.of(nearest(cities, centre, CityMatch.Reason.NEAREST_ANY))
                : Optional.empty();
    }

    private static CityMatch nearest(List<City> candidates, Coordinates centre, CityMatch.Reason reason) {
        City best = candidates.get(0); // never empty: validation requires a city, byCountry lists have one
        double bestKm = Double.POSITIVE_INFINITY;
        for (City c : candidates) { // sorted by id, and only a nearer city replaces: ties keep the smaller id
            double km = centre.distanceKm(c.location());
            if (km < bestKm) {
                best = c;
                bestKm = km;
            }
        }
        return new CityMatch(best, bestKm, reason);
    }

    /** One RFC 8805 row per source prefix, in {@link Geofeed#format} order. */
    public List<GeofeedEntry> geofeed() {
        return cities.stream()
                .flatMap(
                        c -> c.prefixes().stream().map(p -> new GeofeedEntry(p, c.country(), c.region(), c.name(), "")))
                .sorted()
                .toList();
    }

    /** The geofeed as served at {@code GET /egress-ranges.csv} and by {@code masque pool export-csv}. */
    public String geofeedCsv() {
        return Geofeed.format(geofeed());
    }
}
