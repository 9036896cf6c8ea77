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
package org.masquerelay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.pool.City;

/** Model mode on the sample scenario: determinism, pinned results, and checks that can fail. */
class GeoModelTest {
    @TempDir
    static Path dir;

    static Path scenario;
    static Path first;
    static JsonNode summary;

    @BeforeAll
    static void runSample() throws Exception {
        SampleSet.write(dir.resolve("in"));
        scenario = dir.resolve("in/scenario.yaml");
        first = dir.resolve("out1");
        GeoRun.run(scenario, first, false, null, null, null, 2);
        summary = new ObjectMapper().readTree(first.resolve("summary.json").toFile());
    }

    @Test
    void theSameSeedGivesByteIdenticalCsvsWhateverTheThreadCount() throws Exception {
        Path second = dir.resolve("out2");
        GeoRun.run(scenario, second, false, null, null, null, 1);
        for (String f :
                List.of(GeoOutputs.CLIENTS, GeoOutputs.IP_EPOCHS, GeoOutputs.ANONYMITY, GeoOutputs.LINKABILITY)) {
            assertThat(Files.mismatch(first.resolve(f), second.resolve(f)))
                    .as(f)
                    .isEqualTo(-1L);
        }
        Path other = dir.resolve("out3");
        GeoRun.run(scenario, other, false, null, null, 43L, 2);
        assertThat(Files.mismatch(first.resolve(GeoOutputs.CLIENTS), other.resolve(GeoOutputs.CLIENTS)))
                .as("another seed")
                .isNotEqualTo(-1L);
    }

    @Test
    void theSampleScenarioGivesThesePinnedNumbers() {
        JsonNode r = summary.get("results").get(0);
        assertThat(summary.get("all_checks_pass").asBoolean()).isTrue();
        assertThat(r.get("clients").asInt()).isEqualTo(5000);
        assertThat(r.get("served").asInt()).isEqualTo(4840);
        assertThat(r.get("fallback").asInt()).isEqualTo(58);
        assertThat(r.get("refused").asInt()).isEqualTo(102);
        assertThat(r.get("connections").asLong()).isEqualTo(235232);
        assertThat(r.get("geo_error_km_median").asDouble()).isEqualTo(19.087);
        assertThat(r.get("same_city_share").asDouble()).isEqualTo(0.816252);
        assertThat(r.get("k_median").asInt()).isEqualTo(4);
        JsonNode checks = r.get("checks");
        assertThat(checks.get("unlinkability").get("pairs").asLong()).isEqualTo(152696);
        assertThat(checks.get("unlinkability").get("same_address").asLong()).isEqualTo(2084);
        assertThat(checks.get("one_assertion_per_cell_window").get("signatures").asLong())
                .isEqualTo(137);
        for (String c : List.of(
                "one_assertion_per_cell_window", "no_client_unique_value", "chi_square_uniformity", "unlinkability")) {
            assertThat(checks.get(c).get("pass").asBoolean()).as(c).isTrue();
        }
    }

    @Test
    void outcomesFollowTheSampleDesign() throws Exception {
        List<Csv.Row> rows = Csv.read(first.resolve(GeoOutputs.CLIENTS));
        // Marseille's missing prefix: refused at the ingress (unknown-location: deny)
        assertThat(rows)
                .anyMatch(r ->
                        r.get("city").equals("Marseille") && r.get("reason").equals("unknown_location"));
        // Belgium has no city and the pool denies: refused by the egress
        assertThat(rows.stream().filter(r -> r.get("country").equals("BE")))
                .allMatch(r ->
                        r.get("outcome").equals("refused") && r.get("reason").equals("no_egress_city"));
        // Ireland goes to London through country-fallbacks
        assertThat(rows.stream().filter(r -> r.get("country").equals("IE")))
                .allMatch(r -> r.get("outcome").equals("fallback")
                        && r.get("egress_city").equals("london"));
        // Edinburgh has no pool city: clients the database places there leave from the nearest
        // GB city, Manchester (one Edinburgh prefix is registered at London, and goes there)
        assertThat(rows.stream()
                        .filter(r ->
                                r.get("city").equals("Edinburgh") && Double.parseDouble(r.get("db_error_km")) < 50))
                .isNotEmpty()
                .allMatch(r -> r.get("egress_city").equals("manchester")
                        && r.get("same_city").equals("0"));
        // the database registers a Lyon prefix at Paris: some Lyon clients leave from Paris
        assertThat(rows)
                .anyMatch(r ->
                        r.get("city").equals("Lyon") && r.get("egress_city").equals("paris"));
    }

    @Test
    void perfectGeoRemovesTheDatabaseError() throws Exception {
        Path out = dir.resolve("perfect");
        GeoRun.run(scenario, out, true, 1000, null, null, 2);
        List<Csv.Row> rows = Csv.read(out.resolve(GeoOutputs.CLIENTS));
        assertThat(rows).noneMatch(r -> r.get("reason").equals("unknown_location"));
        assertThat(rows.stream()
                        .filter(r -> r.get("location_mode").equals("precise")
                                && r.get("city").equals("Lyon")
                                && !r.get("egress_city").isEmpty()))
                .isNotEmpty()
                .allMatch(r -> r.get("egress_city").equals("lyon"));
    }

    /** The double the issue asks for: a source address derived from the client's address. */
    static final GeoModel.SourceChooser DERIVED_FROM_CLIENT = (city, key, epoch, v6, client) -> {
        City c = city;
        IpPrefix p = c.prefixes(v6 && c.hasIpv6()).get(0);
        BigInteger index = new BigInteger(1, client.getAddress()).mod(p.size());
        return Optional.of(p.addressAt(index));
    };

    @Test
    void anAddressDerivedFromTheClientFailsTheLinkabilityAndUniquenessChecks() throws Exception {
        Scenario s = Scenario.load(scenario);
        GeoRun.Result r = GeoRun.run(
                scenario,
                s,
                GeoModel.Counts.of(s, null, null, 1000),
                dir.resolve("derived"),
                false,
                GeoModel.PRODUCTION_INGRESS,
                DERIVED_FROM_CLIENT,
                2);
        assertThat(r.allChecksPass()).isFalse();
        JsonNode checks = checksOf(dir.resolve("derived"));
        assertThat(checks.get("unlinkability").get("pass").asBoolean()).isFalse();
        assertThat(checks.get("no_client_unique_value").get("pass").asBoolean()).isFalse();
        assertThat(checks.get("one_assertion_per_cell_window").get("pass").asBoolean())
                .isTrue();
        assertThat(Csv.read(dir.resolve("derived").resolve(GeoOutputs.LINKABILITY)))
                .anyMatch(row -> row.get("pass").equals("0"));
    }

    @Test
    void aSignerOfAPerClientValueFailsTheOneAssertionPerCellCheck() throws Exception {
        Scenario s = Scenario.load(scenario);
        // The production ClientLocator, but each client's clock is off by its own few seconds to
        // minutes, so its not_after, and its assertion bytes, are its own.
        GeoModel.IngressFactory perClient = (config, database, clock) -> {
            Map<InetAddress, ClientLocator> locators = new ConcurrentHashMap<>();
            return new GeoModel.Ingress() {
                @Override
                public Optional<org.masquerelay.protocol.geo.SecChGeohash> locate(InetAddress client) {
                    return locator(client).locate(client);
                }

                @Override
                public String assertionFor(InetAddress client) {
                    return locator(client).assertionFor(client);
                }

                private ClientLocator locator(InetAddress client) {
                    long offset = Math.floorMod(client.hashCode(), 3600);
                    return locators.computeIfAbsent(
                            client, c -> ClientLocator.open(config, database, new Offset(clock, offset)));
                }
            };
        };
        GeoRun.Result r = GeoRun.run(
                scenario,
                s,
                GeoModel.Counts.of(s, null, null, 1000),
                dir.resolve("signer"),
                false,
                perClient,
                GeoModel.PRODUCTION_SOURCES,
                2);
        assertThat(r.allChecksPass()).isFalse();
        JsonNode check = checksOf(dir.resolve("signer")).get("one_assertion_per_cell_window");
        assertThat(check.get("pass").asBoolean()).isFalse();
        assertThat(check.get("cell_windows_with_several_values").asLong()).isPositive();
    }

    /** A clock {@code seconds} behind another. */
    static final class Offset extends Clock {
        final Clock base;
        final long seconds;

        Offset(Clock base, long seconds) {
            this.base = base;
            this.seconds = seconds;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return base.instant().minusSeconds(seconds);
        }
    }

    static JsonNode checksOf(Path out) throws Exception {
        return new ObjectMapper()
                .readTree(out.resolve("summary.json").toFile())
                .get("results")
                .get(0)
                .get("checks");
    }

    @Test
    void aCityTheDatabaseCannotPlaceIsNamedWithItsFileAndLine() throws Exception {
        Path in = dir.resolve("bad-city");
        SampleSet.write(in);
        Files.writeString(
                in.resolve("population.csv"),
                "Reykjavik,IS,64.1466,-21.9426,1.0,10\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> GeoRun.check(in.resolve("scenario.yaml"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("population.csv")
                .hasMessageContaining("line 20 city: Reykjavik (IS)")
                .hasMessageContaining("no IS prefix within");
    }

    @Test
    void zeroTotalWeightAndBadRowsAreNamed() {
        assertThatThrownBy(() -> Population.parse("p.csv", Population.COLUMNS + "\nA,GB,51,0,0,5\nB,GB,52,0,0,5\n"))
                .hasMessageContaining("p.csv")
                .hasMessageContaining("weight: a total of 0");
        assertThatThrownBy(() -> Population.parse("p.csv", Population.COLUMNS + "\nA,XX,91,0,1,5\n"))
                .hasMessageContaining("line 2 country: XX")
                .hasMessageContaining("line 2 latitude: 91");
    }

    @Test
    void anEmptyPoolIsAnErrorOfThePoolFile() throws Exception {
        Path in = dir.resolve("empty-pool");
        SampleSet.write(in);
        Files.writeString(in.resolve("pool.yaml"), "rotation-period: PT1H\ncities: []\n");
        assertThatThrownBy(() -> GeoRun.check(in.resolve("scenario.yaml"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pool.yaml")
                .hasMessageContaining("cities");
    }

    @Test
    void scenarioErrorsCarryTheirYamlPaths() throws Exception {
        Path in = dir.resolve("bad-yaml");
        SampleSet.write(in);
        String text = Files.readString(in.resolve("scenario.yaml"))
                .replace("horizon: PT24H", "horizon: PT90M")
                .replace("precision: 5", "precision: 13")
                .replace("coarse: 0.2", "fuzzy: 0.2")
                .replace("profiles: [interop-10mbit-15ms, pam23-fr]", "profiles: [nowhere]");
        Files.writeString(in.resolve("scenario.yaml"), text);
        assertThatThrownBy(() -> Scenario.load(in.resolve("scenario.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("horizon: PT1H30M (expected: whole hours")
                .hasMessageContaining("ingress.precision: 13")
                .hasMessageContaining("location-modes.fuzzy")
                .hasMessageContaining("net.profiles[0]: nowhere");
    }

    @Test
    void theChiSquareTailIsRight() {
        // χ²(10) upper 5 % point is 18.307; χ²(100) median is about 99.33
        assertThat(GeoOutputs.chiSquareUpperTail(18.307, 10)).isBetween(0.045, 0.055);
        assertThat(GeoOutputs.chiSquareUpperTail(99.33, 100)).isBetween(0.49, 0.51);
        assertThat(GeoOutputs.chiSquareUpperTail(400, 100)).isLessThan(1e-6);
    }
}
