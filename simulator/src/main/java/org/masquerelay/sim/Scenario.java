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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.YamlConfigLoader;
import org.masquerelay.ingress.config.GeolocationConfig;

/**
 * A simulator scenario file (docs/simulator.md), validated like the relay configs: every problem
 * with its YAML path, all at once.
 *
 * <pre>
 * seed: 42
 * trials: 1
 * clients: 5000
 * population: population.csv       # city,country,latitude,longitude,weight,spread_km
 * address-plan: address-plan.csv   # where client prefixes really are; default: ingress.database
 * pool: pool.yaml                  # the egress pool file, as the egress loads it
 * ingress:                         # the ingress's geo section, as in ingress.yaml
 *   database: geo.csv
 *   precision: 5
 *   signing-keys: [{id: sim-k1, private-key: sim-k1.key}]
 *   unknown-location: deny
 * location-modes: {precise: 0.8, coarse: 0.2}
 * start: 2026-01-05T00:00:00Z
 * horizon: PT24H                   # whole hours
 * connections-per-client-hour: 2.0 # Poisson mean of inner connections
 * target-ipv6-share: 0.5           # share of targets with AAAA records
 * k: 5                             # anonymity threshold
 * address-radius-km: 25            # client prefixes are drawn from this far around the client
 * audit: {windows: 3, clients: 3}  # signatures compared per cell: first windows, clients each
 * net: {...}                       # emulation mode only, see NetScenario
 * </pre>
 */
public record Scenario(
        @Nullable Long seed,
        @Nullable Integer trials,
        @Nullable Integer clients,
        @Nullable Path population,
        @Nullable Path addressPlan,
        @Nullable Path pool,
        @Nullable GeolocationConfig ingress,
        @Nullable Map<String, Double> locationModes,
        @Nullable Instant start,
        @Nullable Duration horizon,
        @Nullable Double connectionsPerClientHour,
        @Nullable Double targetIpv6Share,
        @Nullable Integer k,
        @Nullable Double addressRadiusKm,
        @Nullable Audit audit,
        @Nullable NetScenario net)
        implements YamlConfigLoader.Validated {

    /** The most clients a run may have: client ids are packed into 24 bits. */
    public static final int MAX_CLIENTS = 1 << 24;

    /** The longest horizon, in hours: epochs are packed into 14 bits. */
    public static final int MAX_HOURS = 8760;

    /** The location modes a client may use (docs/architecture.md §4.3). */
    public static final String PRECISE = "precise";

    /** The 2-character location mode. */
    public static final String COARSE = "coarse";

    /**
     * How many assertions are signed and compared for the one-assertion-per-cell check.
     *
     * @param windows the first assertion windows of each cell that are audited
     * @param clients the clients, lowest ids first, signed for in each audited cell and window
     */
    public record Audit(@Nullable Integer windows, @Nullable Integer clients) {}

    /** Loads {@code file}, resolving its relative paths against its directory. */
    public static Scenario load(Path file) throws ConfigException {
        return YamlConfigLoader.load(file, Scenario.class, Scenario::resolve);
    }

    Scenario resolve(Path base) {
        return new Scenario(
                seed,
                trials,
                clients,
                population == null ? null : base.resolve(population),
                addressPlan == null ? null : base.resolve(addressPlan),
                pool == null ? null : base.resolve(pool),
                ingress == null ? null : ingress.resolve(base),
                locationModes,
                start,
                horizon,
                connectionsPerClientHour,
                targetIpv6Share,
                k,
                addressRadiusKm,
                audit,
                net == null ? null : net.resolve(base));
    }

    @Override
    public void validate(ConfigErrors errors) {
        if (seed == null) {
            errors.missing("seed");
        }
        range(errors, "trials", trials, 1, 1000);
        range(errors, "clients", clients, 1, MAX_CLIENTS);
        readable(errors, "population", population, true);
        readable(errors, "address-plan", addressPlan, false);
        readable(errors, "pool", pool, true);
        if (ingress == null) {
            errors.missing("ingress");
        } else {
            ingress.validate("ingress", errors);
            if (addressPlan == null
                    && ingress.database() != null
                    && ingress.database().toString().endsWith(".mmdb")) {
                errors.add(
                        "address-plan",
                        null,
                        "a CSV of client prefixes when ingress.database is .mmdb (an .mmdb cannot be listed)");
            }
        }
        if (locationModes != null) {
            double sum = 0;
            for (Map.Entry<String, Double> e : locationModes.entrySet()) {
                String p = "location-modes." + e.getKey();
                errors.check(
                        e.getKey().equals(PRECISE) || e.getKey().equals(COARSE), p, e.getKey(), "precise | coarse");
                if (errors.check(e.getValue() != null && e.getValue() >= 0, p, e.getValue(), "a weight >= 0")) {
                    sum += e.getValue();
                }
            }
            errors.check(sum > 0, "location-modes", locationModes, "weights with a total above 0");
        }
        if (horizon == null) {
            errors.missing("horizon");
        } else {
            errors.check(
                    horizon.toSeconds() % 3600 == 0
                            && horizon.toNanos() % 1_000_000_000L == 0
                            && horizon.toHours() >= 1
                            && horizon.toHours() <= MAX_HOURS,
                    "horizon",
                    horizon,
                    "whole hours, PT1H to PT" + MAX_HOURS + "H");
        }
        if (connectionsPerClientHour == null) {
            errors.missing("connections-per-client-hour");
        } else {
            errors.check(
                    connectionsPerClientHour > 0 && connectionsPerClientHour <= 50,
                    "connections-per-client-hour",
                    connectionsPerClientHour,
                    "above 0, at most 50");
        }
        if (targetIpv6Share != null) {
            errors.check(targetIpv6Share >= 0 && targetIpv6Share <= 1, "target-ipv6-share", targetIpv6Share, "0 to 1");
        }
        range(errors, "k", k, 2, 1_000_000);
        if (addressRadiusKm != null) {
            errors.check(
                    addressRadiusKm > 0 && addressRadiusKm <= 2000,
                    "address-radius-km",
                    addressRadiusKm,
                    "above 0, at most 2000");
        }
        if (audit != null) {
            if (audit.windows() != null) {
                range(errors, "audit.windows", audit.windows(), 1, 1000);
            }
            if (audit.clients() != null) {
                range(errors, "audit.clients", audit.clients(), 2, 100);
            }
        }
        if (net != null) {
            net.validate("net", errors);
        }
    }

    static void range(ConfigErrors errors, String path, @Nullable Integer value, int min, int max) {
        if (value == null) {
            errors.missing(path);
        } else {
            errors.check(value >= min && value <= max, path, value, min + " to " + max);
        }
    }

    static void readable(ConfigErrors errors, String path, @Nullable Path file, boolean required) {
        if (file == null) {
            if (required) {
                errors.missing(path);
            }
        } else {
            errors.check(Files.isReadable(file), path, file, "a readable file");
        }
    }

    /** The seed; call only on a validated scenario. */
    public long seedValue() {
        return seed == null ? 0 : seed;
    }

    public int trialsValue() {
        return trials == null ? 1 : trials;
    }

    public int clientsValue() {
        return clients == null ? 0 : clients;
    }

    public GeolocationConfig ingressConfig() {
        if (ingress == null) {
            throw new IllegalStateException("ingress: not validated");
        }
        return ingress;
    }

    /** The location-mode weights, precise first; default all precise. */
    public Map<String, Double> locationModesOrDefault() {
        return locationModes == null ? Map.of(PRECISE, 1.0) : new TreeMap<>(locationModes);
    }

    /** The share of clients in coarse mode. */
    public double coarseShare() {
        Map<String, Double> m = locationModesOrDefault();
        double total = m.values().stream().mapToDouble(Double::doubleValue).sum();
        return m.getOrDefault(COARSE, 0.0) / total;
    }

    public Instant startOrDefault() {
        return start == null ? Instant.parse("2026-01-05T00:00:00Z") : start;
    }

    public int hours() {
        return horizon == null ? 0 : (int) horizon.toHours();
    }

    public double connectionRate() {
        return connectionsPerClientHour == null ? 0 : connectionsPerClientHour;
    }

    public double ipv6Share() {
        return targetIpv6Share == null ? 0.5 : targetIpv6Share;
    }

    public int kValue() {
        return k == null ? 5 : k;
    }

    public double radiusKm() {
        return addressRadiusKm == null ? 25 : addressRadiusKm;
    }

    public int auditWindows() {
        return audit == null || audit.windows() == null ? 3 : audit.windows();
    }

    public int auditClients() {
        return audit == null || audit.clients() == null ? 3 : audit.clients();
    }

    /** The file client prefixes come from: {@code address-plan}, else the ingress database. */
    public Path addressPlanFile() {
        if (addressPlan != null) {
            return addressPlan;
        }
        Path db = ingressConfig().database();
        if (db == null) {
            throw new IllegalStateException("ingress.database: not validated");
        }
        return db;
    }
}
