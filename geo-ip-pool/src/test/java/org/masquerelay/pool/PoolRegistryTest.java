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
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;

class PoolRegistryTest {
    static final String SAMPLE = """
            rotation-period: PT30M
            fallback: deny
            country-fallbacks: {IE: london}
            cities:
              - {id: london, name: London, country: GB, region: GB-ENG, latitude: 51.5072, longitude: -0.1276,
                 prefixes: [127.101.0.0/28, "2001:db8:101::/64"]}
              - {id: manchester, name: Manchester, country: GB, region: GB-ENG, latitude: 53.4808, longitude: -2.2426,
                 prefixes: [127.104.0.0/28]}
              - {id: paris, name: Paris, country: FR, region: FR-IDF, latitude: 48.8566, longitude: 2.3522,
                 prefixes: [127.102.0.0/28]}
              - {id: tokyo, name: Tokyo, country: JP, region: JP-13, latitude: 35.6762, longitude: 139.6503,
                 prefixes: [127.103.0.0/28]}
            """;

    @TempDir
    Path dir;

    static PoolRegistry sample() throws ConfigException {
        return PoolRegistry.parse("pool.yaml", SAMPLE);
    }

    @Test
    void loadsTheSampleIntoCities() throws Exception {
        Path file = dir.resolve("pool.yaml");
        Files.writeString(file, SAMPLE);
        PoolRegistry r = PoolRegistry.load(file);
        assertThat(r.rotationPeriod()).isEqualTo(Duration.ofMinutes(30));
        assertThat(r.fallback()).isEqualTo(FallbackPolicy.DENY);
        assertThat(r.countryFallbacks()).containsExactly(java.util.Map.entry("IE", "london"));
        assertThat(r.cities()).extracting(City::id).containsExactly("london", "manchester", "paris", "tokyo");
        City london = r.city("london").orElseThrow();
        assertThat(london.region()).isEqualTo("GB-ENG");
        assertThat(london.location()).isEqualTo(new Coordinates(51.5072, -0.1276));
        assertThat(london.prefixes(false)).containsExactly(IpPrefix.parse("127.101.0.0/28"));
        assertThat(london.prefixes(true)).containsExactly(IpPrefix.parse("2001:db8:101::/64"));
        assertThat(r.epochOf(Instant.ofEpochSecond(1800 * 7 + 5))).isEqualTo(7);
    }

    @Test
    void defaultsAreAnHourAndDeny() throws Exception {
        PoolRegistry r = PoolRegistry.parse("pool.yaml", """
                cities:
                  - {id: tokyo, name: Tokyo, country: JP, latitude: 35.6762, longitude: 139.6503,
                     prefixes: [127.103.0.0/28]}
                """);
        assertThat(r.rotationPeriod()).isEqualTo(Duration.ofHours(1));
        assertThat(r.fallback()).isEqualTo(FallbackPolicy.DENY);
        assertThat(r.city("tokyo").orElseThrow().region()).isEmpty();
    }

    @Test
    void norwayIsACountryNotABoolean() throws Exception {
        // YAML 1.1 reads a bare NO as false; as a value and as a key it must stay the ISO code.
        PoolRegistry oslo = PoolRegistry.parse("pool.yaml", """
                cities:
                  - {id: oslo, name: Oslo, country: NO, region: NO-03, latitude: 59.9139, longitude: 10.7522,
                     prefixes: [127.106.0.0/28]}
                """);
        assertThat(oslo.city("oslo").orElseThrow().country()).isEqualTo("NO");
        assertThat(oslo.nearest("u4xsu", "NO").orElseThrow().city().id()).isEqualTo("oslo");
        PoolRegistry stockholm = PoolRegistry.parse("pool.yaml", """
                country-fallbacks: {NO: stockholm}
                cities:
                  - {id: stockholm, name: Stockholm, country: SE, latitude: 59.3293, longitude: 18.0686,
                     prefixes: [127.107.0.0/28]}
                """);
        assertThat(stockholm.countryFallbacks()).containsEntry("NO", "stockholm");
        assertThat(stockholm.nearest("u4xsu", "NO").orElseThrow().reason())
                .isEqualTo(CityMatch.Reason.COUNTRY_FALLBACK);
    }

    @Test
    void reportsEveryErrorWithItsYamlPathAtOnce() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> PoolRegistry.parse("bad.yaml", """
                rotation-period: PT0.5S
                fallback: nearest
                country-fallbacks:
                  IE: dublin
                  GB: london
                  XX: london
                cities:
                  - id: london
                    name: London
                    country: GB
                    region: GB-ENG
                    latitude: 51.5072
                    longitude: -0.1276
                    prefixes: [127.101.0.0/28, "2001:db8:101::/64"]
                  - id: london
                    name: London
                    country: GB
                    region: GB-ENG
                    latitude: 91
                    longitude: -181
                    prefixes: [127.101.0.8/29, 127.102.0.1/28]
                  - id: Paris!
                    name: "Paris, France"
                    country: UK
                    region: FR-IDF
                    latitude: 48.8566
                    longitude: 2.3522
                    prefixes: []
                  - id: tokyo
                    name: Tokyo
                    country: JP
                    region: FR-13
                    latitude: 35.6762
                    prefixes: ["2001:db8:101::/48", "::ffff:127.9.0.0/112", 127.103.0.0/33]
                """));
        assertThat(e.errors())
                .containsExactly(
                        "rotation-period: PT0.5S (expected: at least PT1S)",
                        "fallback: nearest (expected: deny or nearest-any)",
                        "cities[1].latitude: 91.0 (expected: -90 to 90)",
                        "cities[1].longitude: -181.0 (expected: -180 to 180)",
                        "cities[1].prefixes[1]: 127.102.0.1/28 (expected: canonical prefix 127.102.0.0/28, host bits must be "
                                + "zero)",
                        "cities[1].id: london (expected: a unique id; cities[0].id is london too)",
                        "cities[1]: GB/GB-ENG/London (expected: one entry per city; cities[0] has the same country, region "
                                + "and name)",
                        "cities[2].id: Paris! (expected: lower-case letters, digits and inner hyphens, at most 63 characters)",
                        "cities[2].name: \"Paris, France\" (expected: a city name of 1-100 characters without commas, double "
                                + "quotes, control characters or outer spaces)",
                        "cities[2].country: UK (expected: an ISO 3166-1 alpha-2 country code such as GB)",
                        "cities[2].prefixes: [] (expected: at least one prefix)",
                        "cities[3].region: FR-13 (expected: an ISO 3166-2 code of JP: JP- and 1-3 letters or digits)",
                        "cities[3].longitude: missing (expected: a value)",
                        "cities[3].prefixes[1]: ::ffff:127.9.0.0/112 (expected: an IPv4 prefix written as IPv4, not "
                                + "IPv4-mapped IPv6)",
                        "cities[3].prefixes[2]: 127.103.0.0/33 (expected: prefix length 0-32)",
                        "cities[1].prefixes[0]: 127.101.0.8/29 (expected: a prefix that overlaps no other; "
                                + "cities[0].prefixes[0] is 127.101.0.0/28)",
                        "cities[0].prefixes[1]: 2001:db8:101::/64 (expected: a prefix that overlaps no other; "
                                + "cities[3].prefixes[0] is 2001:db8:101::/48)",
                        "country-fallbacks.IE: dublin (expected: the id of a city in cities: Paris!, london, tokyo)",
                        "country-fallbacks.GB: london (expected: only countries without cities; GB has its own, so this "
                                + "entry never applies)",
                        "country-fallbacks.XX: XX (expected: an ISO 3166-1 alpha-2 country code such as GB as the key)");
        assertThat(e.getMessage()).startsWith("bad.yaml: 20 error(s)");
    }

    @Test
    void identicalPrefixesInTwoCitiesAreAnOverlap() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> PoolRegistry.parse("dup.yaml", """
                cities:
                  - {id: a, name: A, country: GB, latitude: 0, longitude: 0, prefixes: [192.0.2.0/24]}
                  - {id: b, name: B, country: GB, latitude: 1, longitude: 1, prefixes: [198.51.100.0/24, 192.0.2.0/24]}
                """));
        assertThat(e.errors())
                .containsExactly("cities[1].prefixes[1]: 192.0.2.0/24 (expected: a prefix that overlaps "
                        + "no other; cities[0].prefixes[0] is 192.0.2.0/24)");
    }

    @Test
    void unknownKeysAndMissingCitiesAreRejected() {
        assertThatThrownBy(() -> PoolRegistry.parse("x.yaml", "cities: []\nrotation: PT1H\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rotation: unknown key (expected one of: cities, country-fallbacks, fallback, "
                        + "rotation-period)");
        assertThatThrownBy(() -> PoolRegistry.parse("x.yaml", "fallback: deny\n"))
                .hasMessageContaining("cities: missing (expected: a value)");
        assertThatThrownBy(() -> PoolRegistry.parse("x.yaml", "cities: []\n"))
                .hasMessageContaining("cities: [] (expected: at least one city)");
    }

    /** The match for a client at {@code point} asserted in {@code country}, reported for the record. */
    static CityMatch locate(PoolRegistry r, Coordinates point, String country) {
        String geohash = Geohashes.encode(point, Geohashes.DEFAULT_PRECISION);
        CityMatch m = r.nearest(geohash, country).orElseThrow();
        System.out.printf(
                "geohash %s %s -> %s (%s) at %.2f km%n",
                geohash, country, m.city().id(), m.reason(), m.distanceKm());
        return m;
    }

    @Test
    void nearestCityInTheAssertedCountry() throws Exception {
        PoolRegistry r = sample();
        CityMatch m = locate(r, new Coordinates(53.4808, -2.2426), "GB");
        assertThat(m.city().id()).isEqualTo("manchester");
        assertThat(m.reason()).isEqualTo(CityMatch.Reason.IN_COUNTRY);
        assertThat(m.distanceKm()).isLessThan(3.5); // at most half a 4.9 km x 3.1 km cell diagonal

        CityMatch london = locate(r, CoordinatesTest.LONDON, "GB");
        assertThat(london.city().id()).isEqualTo("london");
        assertThat(london.distanceKm()).isLessThan(3.5);
    }

    @Test
    void countryWinsOverDistance() throws Exception {
        // A cell in Paris asserted as GB stays in GB: London, 340 km away, not Paris next door.
        CityMatch m = locate(sample(), CoordinatesTest.PARIS, "GB");
        assertThat(m.city().id()).isEqualTo("london");
        assertThat(m.distanceKm()).isCloseTo(343.6, within(5.0));
    }

    @Test
    void countryFallbackThenDeny() throws Exception {
        PoolRegistry r = sample();
        CityMatch m = locate(r, new Coordinates(53.3498, -6.2603), "IE"); // Dublin
        assertThat(m.city().id()).isEqualTo("london");
        assertThat(m.reason()).isEqualTo(CityMatch.Reason.COUNTRY_FALLBACK);
        assertThat(m.distanceKm()).isCloseTo(464, within(5.0));
        // Germany has no city and no fallback entry; the policy is deny.
        assertThat(r.nearest("u33db", "DE")).isEmpty();
        // Well formed but not in the ISO list (MaxMind's Kosovo): no city either.
        assertThat(r.nearest("srv0y", "XK")).isEmpty();
    }

    @Test
    void nearestAnyPicksTheClosestCityAnywhere() throws Exception {
        PoolRegistry r = PoolRegistry.parse("pool.yaml", SAMPLE.replace("fallback: deny", "fallback: nearest-any"));
        CityMatch m = locate(r, new Coordinates(52.52, 13.405), "DE"); // Berlin
        assertThat(m.city().id()).isEqualTo("paris");
        assertThat(m.reason()).isEqualTo(CityMatch.Reason.NEAREST_ANY);
        assertThat(m.distanceKm()).isCloseTo(878, within(10.0));
        // The explicit country fallback still comes first.
        assertThat(r.nearest("gc7x9", "IE").orElseThrow().reason()).isEqualTo(CityMatch.Reason.COUNTRY_FALLBACK);
    }

    @Test
    void malformedInputIsRefusedWithASpecificError() throws Exception {
        PoolRegistry r = sample();
        assertThatThrownBy(() -> r.nearest("gcpvja", "GB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("geohash \"gcpvja\" has 'a' at index 5");
        assertThatThrownBy(() -> r.nearest("gcpvj", "gb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("country gb (expected: an ISO 3166-1 alpha-2 country code such as GB)");
    }
}
