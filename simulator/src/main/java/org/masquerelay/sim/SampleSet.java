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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.masquerelay.protocol.geo.Ed25519Keys;

/**
 * {@code masque sim sample}: a small, consistent input set, the same bytes every time. Seventeen
 * cities in eight countries; the address plan says where client prefixes really are, and the geo
 * database what the ingress believes: it places suburbs at the city centre, registers one prefix
 * of each second city at the capital, and lacks one Marseille prefix. The pool has no city for
 * Marseille or Edinburgh (served from the nearest city of the country), serves Ireland from London
 * ({@code country-fallbacks}) and has nothing for Belgium ({@code fallback: deny}).
 */
public final class SampleSet {
    /** The files written, in order. */
    public static final List<String> FILES =
            List.of("scenario.yaml", "population.csv", "address-plan.csv", "geo.csv", "pool.yaml", "sim-k1.key");

    private record Place(
            String city,
            String country,
            double lat,
            double lon,
            double weight,
            double spread,
            String capital,
            boolean inPool) {}

    private static final List<Place> PLACES = List.of(
            new Place("London", "GB", 51.5072, -0.1276, 9.0, 20, "", true),
            new Place("Manchester", "GB", 53.4808, -2.2426, 2.8, 12, "London", true),
            new Place("Edinburgh", "GB", 55.9533, -3.1883, 0.9, 8, "London", false),
            new Place("Paris", "FR", 48.8566, 2.3522, 11.0, 20, "", true),
            new Place("Lyon", "FR", 45.7640, 4.8357, 2.3, 12, "Paris", true),
            new Place("Marseille", "FR", 43.2965, 5.3698, 1.9, 12, "Paris", false),
            new Place("Berlin", "DE", 52.5200, 13.4050, 3.7, 15, "", true),
            new Place("Munich", "DE", 48.1351, 11.5820, 2.6, 12, "Berlin", true),
            new Place("Rome", "IT", 41.9028, 12.4964, 4.3, 15, "", true),
            new Place("Milan", "IT", 45.4642, 9.1900, 3.2, 12, "Rome", true),
            new Place("New York", "US", 40.7128, -74.0060, 19.0, 30, "", true),
            new Place("Chicago", "US", 41.8781, -87.6298, 9.5, 25, "New York", true),
            new Place("Los Angeles", "US", 34.0522, -118.2437, 13.0, 35, "New York", true),
            new Place("Tokyo", "JP", 35.6762, 139.6503, 37.0, 30, "", true),
            new Place("Osaka", "JP", 34.6937, 135.5023, 19.0, 20, "Tokyo", true),
            new Place("Dublin", "IE", 53.3498, -6.2603, 1.4, 10, "", false),
            new Place("Brussels", "BE", 50.8503, 4.3517, 2.1, 10, "", false));

    static final String SCENARIO = """
            # masque sim scenario (docs/simulator.md). Paths are relative to this file.
            #   ./masque sim geo scenario.yaml --out geo-out      model mode: no sockets, deterministic
            #   ./masque sim net scenario.yaml --out net-out      emulation mode: real relays on loopback
            #   ./masque sim report geo-out net-out --out report.html
            seed: 42
            trials: 1
            clients: 5000
            population: population.csv      # city,country,latitude,longitude,weight,spread_km
            address-plan: address-plan.csv  # where client prefixes really are
            pool: pool.yaml                 # the egress pool file
            ingress:                        # the ingress's geo section, as in ingress.yaml
              database: geo.csv             # what the ingress believes (a .mmdb works too)
              precision: 5
              signing-keys:
                - id: sim-k1
                  private-key: sim-k1.key
              window: PT10M
              validity: PT1H
              unknown-location: deny
            location-modes: {precise: 0.8, coarse: 0.2}
            start: 2026-01-05T00:00:00Z
            horizon: PT24H
            connections-per-client-hour: 2.0
            target-ipv6-share: 0.5
            k: 5
            address-radius-km: 25
            audit: {windows: 3, clients: 3}
            net:                              # emulation mode: masque sim net scenario.yaml --out net-out
              backend: shim
              profiles: [interop-10mbit-15ms, pam23-fr]
              links:                          # own profiles beside the presets, per hop
                dsl-lossy:
                  client-ingress: {delay-ms: 12, jitter-ms: 2, loss-pct: 1, loss-model: gilbert-elliott, ge-p: 0.01, ge-r: 0.3, rate-mbit: 20}
              clients: 2
              trials: 1
              objects: [51200, 1048576]
              rtt-probes: 20
            """;

    private SampleSet() {}

    /** Writes the set into {@code dir}, replacing files of the same names. */
    public static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        out.add(put(dir, "scenario.yaml", SCENARIO));
        out.add(put(dir, "population.csv", population()));
        out.add(put(dir, "address-plan.csv", geo(true)));
        out.add(put(dir, "geo.csv", geo(false)));
        out.add(put(dir, "pool.yaml", pool()));
        out.add(put(dir, "sim-k1.key", Ed25519Keys.privateKeyToPem(Ed25519Keys.privateKeyFromSeed(keySeed()))));
        return out;
    }

    private static Path put(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** A fixed key, so the sample is the same bytes each time; never use it outside the simulator. */
    private static byte[] keySeed() {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest("masque sim sample key".getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static String population() {
        StringBuilder sb = new StringBuilder("# Where the simulated clients really are (docs/simulator.md)\n");
        sb.append(Population.COLUMNS).append('\n');
        for (Place p : PLACES) {
            sb.append(String.format(
                    Locale.ROOT, "%s,%s,%.4f,%.4f,%.1f,%.0f%n", p.city, p.country, p.lat, p.lon, p.weight, p.spread));
        }
        return sb.toString();
    }

    /**
     * Three /18s per city: the centre, a suburb 10 km north-east, and one 12 km south-west. In the
     * plan they are where they are; in the database the suburbs sit at the centre, a second
     * city's south-west prefix is registered at the capital, and Marseille's is missing.
     */
    private static String geo(boolean truth) {
        StringBuilder sb = new StringBuilder(
                truth
                        ? "# Address plan: where each client prefix really is. prefix,latitude,longitude,country,region,city\n"
                        : "# Geo database as the ingress sees it. prefix,latitude,longitude,country,region,city\n");
        for (int i = 0; i < PLACES.size(); i++) {
            Place p = PLACES.get(i);
            Place capital = p.capital.isEmpty() ? p : place(p.capital);
            double cos = Math.cos(Math.toRadians(p.lat));
            row(sb, "10." + (i + 1) + ".0.0/18", p.lat, p.lon, p);
            if (truth) {
                row(sb, "10." + (i + 1) + ".64.0/18", p.lat + 7.07 / 111.195, p.lon + 7.07 / (111.195 * cos), p);
                row(sb, "10." + (i + 1) + ".128.0/18", p.lat - 8.49 / 111.195, p.lon - 8.49 / (111.195 * cos), p);
            } else {
                row(sb, "10." + (i + 1) + ".64.0/18", p.lat, p.lon, p);
                if (!p.city.equals("Marseille")) {
                    row(sb, "10." + (i + 1) + ".128.0/18", capital.lat, capital.lon, capital);
                }
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String prefix, double lat, double lon, Place p) {
        sb.append(String.format(Locale.ROOT, "%s,%.4f,%.4f,%s,,%s%n", prefix, lat, lon, p.country, p.city));
    }

    private static Place place(String city) {
        return PLACES.stream().filter(p -> p.city.equals(city)).findFirst().orElseThrow();
    }

    /** IPv4 /27 and IPv6 /122 per city (/26 and /121 for the four largest), all documentation ranges. */
    private static String pool() {
        StringBuilder sb = new StringBuilder("""
                # Egress city pools (docs/architecture.md §4.5), as the egress loads them.
                # Marseille and Edinburgh have no city: their clients leave from the nearest city of
                # their country. Ireland is served from London; Belgium is refused (fallback: deny).
                rotation-period: PT1H
                fallback: deny
                country-fallbacks:
                  IE: london
                cities:
                """);
        int n = 0;
        for (Place p : PLACES) {
            if (!p.inPool) {
                continue;
            }
            boolean big = p.weight >= 9;
            String id = p.city.toLowerCase(Locale.ROOT).replace(' ', '-');
            sb.append(String.format(
                    Locale.ROOT,
                    "  - {id: %s, name: %s, country: %s, latitude: %.4f, longitude: %.4f,%n"
                            + "     prefixes: [198.18.%d.0/%d, \"2001:db8:%x::/%d\"]}%n",
                    id,
                    p.city,
                    p.country,
                    p.lat,
                    p.lon,
                    n,
                    big ? 26 : 27,
                    n + 1,
                    big ? 121 : 122));
            n++;
        }
        return sb.toString();
    }
}
