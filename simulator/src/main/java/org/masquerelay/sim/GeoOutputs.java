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
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.pool.City;
import org.masquerelay.pool.Coordinates;

/**
 * Writes model mode's outputs (docs/simulator.md): {@code clients.csv}, {@code
 * egress_ip_epochs.csv}, {@code anonymity_summary.csv}, {@code linkability.csv} and the checks
 * that go into {@code summary.json}.
 */
public final class GeoOutputs {
    static final String CLIENTS = "clients.csv";
    static final String IP_EPOCHS = "egress_ip_epochs.csv";
    static final String ANONYMITY = "anonymity_summary.csv";
    static final String LINKABILITY = "linkability.csv";

    /** Bonferroni-corrected significance of the χ² test over all pools. */
    static final double CHI_SQUARE_ALPHA = 0.001;

    private final Csv clients = new Csv("trial,client,city,country,true_lat,true_lon,client_address,db_lat,db_lon,"
            + "db_error_km,location_mode,asserted_geohash,presented_geohash,outcome,reason,egress_city,"
            + "egress_country,geo_error_km,same_city,same_country,within_25km,within_100km,connections");
    private final Csv ipEpochs = new Csv("trial,epoch,epoch_start,city,family,address,clients,connections");
    private final Csv anonymity = new Csv("trial,city,epoch,epoch_start,pool_v4,pool_v6,active_clients,connections,"
            + "used_addresses,k_min,k_p5,k_median,share_below_k,entropy_degree");
    private final Csv linkability =
            new Csv("trial,city,family,pool_size,test,pairs,same,observed_p,expected_p,limit_same,pass");
    private final List<Map<String, Object>> trials = new ArrayList<>();
    private final Scenario scenario;
    private final Duration period;

    public GeoOutputs(Scenario scenario, Duration rotationPeriod) {
        this.scenario = scenario;
        this.period = rotationPeriod;
    }

    /** Adds one trial's rows and returns its aggregates and checks. */
    public Map<String, Object> add(TrialResult r) {
        Map<String, Object> agg = new LinkedHashMap<>();
        agg.put("trial", r.trial);
        clientRows(r, agg);
        addressRows(r, agg);
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("one_assertion_per_cell_window", assertionCheck(r));
        checks.put("no_client_unique_value", uniquenessCheck(r));
        checks.put("chi_square_uniformity", chiSquare(r));
        checks.put("unlinkability", linkRows(r));
        agg.put("checks", checks);
        trials.add(agg);
        return agg;
    }

    public List<Map<String, Object>> trials() {
        return trials;
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        clients.write(dir.resolve(CLIENTS));
        ipEpochs.write(dir.resolve(IP_EPOCHS));
        anonymity.write(dir.resolve(ANONYMITY));
        linkability.write(dir.resolve(LINKABILITY));
    }

    private void clientRows(TrialResult r, Map<String, Object> agg) {
        long served = 0;
        long fallback = 0;
        long refused = 0;
        long sameCity = 0;
        long connections = 0;
        Histogram error = new Histogram(1, 40_000_000, 3);
        for (GeoModel.Client c : r.clients) {
            City city = c.city;
            Coordinates db = c.dbLocation == null ? null : c.dbLocation.coordinates();
            double geoError = city == null ? Double.NaN : c.truth.distanceKm(city.location());
            boolean same = city != null
                    && city.name().equalsIgnoreCase(c.home.city())
                    && city.country().equals(c.home.country());
            boolean sameCountry = city != null && city.country().equals(c.home.country());
            clients.row(
                    r.trial,
                    c.id,
                    c.home.city(),
                    c.home.country(),
                    c.truth.latitude(),
                    c.truth.longitude(),
                    c.address.getHostAddress(),
                    db == null ? Double.NaN : db.latitude(),
                    db == null ? Double.NaN : db.longitude(),
                    db == null ? Double.NaN : c.truth.distanceKm(db),
                    c.coarse ? Scenario.COARSE : Scenario.PRECISE,
                    c.asserted == null ? "" : c.asserted.geohash(),
                    c.presented == null ? "" : c.presented.geohash(),
                    c.outcome.token(),
                    c.reason,
                    city == null ? "" : city.id(),
                    city == null ? "" : city.country(),
                    geoError,
                    same,
                    sameCountry,
                    city != null && geoError <= 25,
                    city != null && geoError <= 100,
                    c.connections);
            switch (c.outcome) {
                case SERVED -> served++;
                case FALLBACK -> fallback++;
                default -> refused++;
            }
            if (city != null) {
                error.recordValue(Math.round(geoError * 1000));
                sameCity += same ? 1 : 0;
            }
            connections += c.connections;
        }
        agg.put("clients", r.clients.length);
        agg.put("served", served);
        agg.put("fallback", fallback);
        agg.put("refused", refused);
        agg.put("connections", connections);
        agg.put("unroutable_connections", r.unroutable);
        agg.put("geo_error_km_median", round(error.getValueAtPercentile(50) / 1000.0));
        agg.put("geo_error_km_p90", round(error.getValueAtPercentile(90) / 1000.0));
        agg.put("same_city_share", round(served + fallback == 0 ? 0 : (double) sameCity / (served + fallback)));
    }

    private void addressRows(TrialResult r, Map<String, Object> agg) {
        int cities = r.cities.size();
        int k = scenario.kValue();
        Histogram[][] kHist = new Histogram[cities][r.epochs];
        long[][] used = new long[cities][r.epochs];
        long[][] below = new long[cities][r.epochs];
        long[][] conns = new long[cities][r.epochs];
        double[][] entropy = new double[cities][r.epochs];
        long addressEpochs = 0;
        long belowTotal = 0;
        Histogram allK = new Histogram(3);
        long[] c = r.connections;
        int i = 0;
        while (i < c.length) {
            int e = TrialResult.epochOf(c[i]);
            int a = TrialResult.addressOf(c[i]);
            int clientsHere = 0;
            int n = 0;
            int last = -1;
            while (i < c.length && TrialResult.epochOf(c[i]) == e && TrialResult.addressOf(c[i]) == a) {
                int client = TrialResult.clientOf(c[i]);
                clientsHere += client != last ? 1 : 0;
                last = client;
                n++;
                i++;
            }
            int city = r.addressCity[a];
            InetAddress address = r.addresses[a];
            ipEpochs.row(
                    r.trial,
                    r.firstEpoch + e,
                    epochStart(r, e),
                    r.cities.get(city).id(),
                    address.getAddress().length == 16 ? "v6" : "v4",
                    IpPrefix.of(address).toString().replaceAll("/\\d+$", ""),
                    clientsHere,
                    n);
            if (kHist[city][e] == null) {
                kHist[city][e] = new Histogram(3);
            }
            kHist[city][e].recordValue(clientsHere);
            allK.recordValue(clientsHere);
            used[city][e]++;
            conns[city][e] += n;
            addressEpochs++;
            if (clientsHere < k) {
                below[city][e]++;
                belowTotal++;
            }
            int activeHere = r.active[city][e];
            entropy[city][e] += activeHere < 2 ? 0 : Math.log(clientsHere) / Math.log(activeHere);
        }
        for (int city = 0; city < cities; city++) {
            City cc = r.cities.get(city);
            for (int e = 0; e < r.epochs; e++) {
                Histogram h = kHist[city][e];
                long u = used[city][e];
                anonymity.row(
                        r.trial,
                        cc.id(),
                        r.firstEpoch + e,
                        epochStart(r, e),
                        GeoModel.poolSize(cc, false),
                        GeoModel.poolSize(cc, true),
                        r.active[city][e],
                        conns[city][e],
                        u,
                        h == null ? "" : String.valueOf(h.getMinValue()),
                        h == null ? "" : String.valueOf(h.getValueAtPercentile(5)),
                        h == null ? "" : String.valueOf(h.getValueAtPercentile(50)),
                        u == 0 ? Double.NaN : (double) below[city][e] / u,
                        u == 0 ? Double.NaN : entropy[city][e] / u);
            }
        }
        agg.put("address_epochs", addressEpochs);
        agg.put("k", k);
        agg.put("k_min", addressEpochs == 0 ? 0 : allK.getMinValue());
        agg.put("k_p5", allK.getValueAtPercentile(5));
        agg.put("k_median", allK.getValueAtPercentile(50));
        agg.put("share_address_epochs_below_k", round(addressEpochs == 0 ? 0 : (double) belowTotal / addressEpochs));
    }

    private String epochStart(TrialResult r, int e) {
        return Instant.ofEpochMilli((r.firstEpoch + e) * period.toMillis()).toString();
    }

    private static Map<String, Object> assertionCheck(TrialResult r) {
        GeoModel.AuditResult a = r.audit;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pass", a.checked() > 0 && a.mismatched() == 0);
        m.put("cell_windows_checked", a.checked());
        m.put("cell_windows_with_several_values", a.mismatched());
        m.put("signatures", a.signatures());
        if (!a.example().isEmpty()) {
            m.put("example", a.example());
        }
        return m;
    }

    private static Map<String, Object> uniquenessCheck(TrialResult r) {
        double limit = r.stickyExpected + 4 * Math.sqrt(r.stickyExpected) + 3;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pass", r.sticky <= limit && r.audit.uniqueValues() == 0);
        m.put("client_families_seen_in_two_epochs", r.stickyEligible);
        m.put("client_families_with_one_address_throughout", r.sticky);
        m.put("expected_by_chance", round(r.stickyExpected));
        m.put("limit", round(limit));
        m.put("assertion_values_held_by_one_client", r.audit.uniqueValues());
        return m;
    }

    private Map<String, Object> chiSquare(TrialResult r) {
        int cities = r.cities.size();
        Map<Integer, long[]> bins = new LinkedHashMap<>();
        Map<Integer, BigInteger> sizes = new LinkedHashMap<>();
        long[] perAddress = new long[r.addresses.length];
        for (long v : r.connections) {
            perAddress[TrialResult.addressOf(v)]++;
        }
        long[] totals = new long[cities * 2];
        for (int a = 0; a < r.addresses.length; a++) {
            int fam = r.addresses[a].getAddress().length == 16 ? 1 : 0;
            totals[r.addressCity[a] * 2 + fam] += perAddress[a];
        }
        for (int a = 0; a < r.addresses.length; a++) {
            City city = r.cities.get(r.addressCity[a]);
            int fam = r.addresses[a].getAddress().length == 16 ? 1 : 0;
            int pool = r.addressCity[a] * 2 + fam;
            BigInteger n = GeoModel.poolSize(city, fam == 1);
            if (n.compareTo(BigInteger.TWO) < 0) {
                continue;
            }
            int b = (int) Math.max(2, Math.min(n.min(BigInteger.valueOf(1024)).longValue(), totals[pool] / 5));
            long[] counts = bins.computeIfAbsent(pool, x -> new long[b]);
            sizes.put(pool, n);
            int bin = TrialResult.poolIndex(city, r.addresses[a])
                    .multiply(BigInteger.valueOf(counts.length))
                    .divide(n)
                    .intValue();
            counts[bin] += perAddress[a];
        }
        List<Map<String, Object>> pools = new ArrayList<>();
        double minP = 1;
        for (Map.Entry<Integer, long[]> e : bins.entrySet()) {
            long[] counts = e.getValue();
            long total = totals[e.getKey()];
            if (total < 50 || counts.length < 2) {
                continue;
            }
            BigInteger n = Objects.requireNonNull(sizes.get(e.getKey()));
            BigInteger perBin = n.divide(BigInteger.valueOf(counts.length));
            double chi = 0;
            for (int b = 0; b < counts.length; b++) {
                // bin b holds the indexes i with i * bins / n == b: floor or ceil of n / bins of them
                double share = new BigDecimal(ceilDiv(n, b + 1, counts.length).subtract(ceilDiv(n, b, counts.length)))
                        .divide(new BigDecimal(n), MathContext.DECIMAL64)
                        .doubleValue();
                double expected = total * share;
                chi += (counts[b] - expected) * (counts[b] - expected) / expected;
            }
            int df = counts.length - 1;
            double p = chiSquareUpperTail(chi, df);
            minP = Math.min(minP, p);
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("city", r.cities.get(e.getKey() / 2).id());
            pool.put("family", e.getKey() % 2 == 1 ? "v6" : "v4");
            pool.put("addresses", n.toString());
            pool.put("bins", counts.length);
            pool.put("addresses_per_bin", perBin.toString());
            pool.put("connections", total);
            pool.put("chi_square", round(chi));
            pool.put("p_value", round(p));
            pools.add(pool);
        }
        double alpha = pools.isEmpty() ? CHI_SQUARE_ALPHA : CHI_SQUARE_ALPHA / pools.size();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pass", !pools.isEmpty() && minP >= alpha);
        m.put("alpha_per_pool", alpha);
        m.put("min_p_value", round(minP));
        m.put("pools", pools);
        return m;
    }

    private Map<String, Object> linkRows(TrialResult r) {
        boolean pass = true;
        long pairs = 0;
        long same = 0;
        for (int j = 0; j < r.link.length; j++) {
            City city = r.cities.get(j / 2);
            boolean v6 = j % 2 == 1;
            BigInteger n = GeoModel.poolSize(city, v6);
            if (n.signum() == 0) {
                continue;
            }
            double expected = 1 / n.doubleValue();
            for (int t = 0; t < 2; t++) {
                long p = r.link[j][2 * t];
                long s = r.link[j][2 * t + 1];
                double limit = p * expected + 4 * Math.sqrt(p * expected * (1 - expected)) + 3;
                boolean ok = s <= limit;
                pass &= ok;
                pairs += p;
                same += s;
                linkability.row(
                        r.trial,
                        city.id(),
                        v6 ? "v6" : "v4",
                        n,
                        t == 0 ? "consecutive_epochs" : "two_connections_one_epoch",
                        p,
                        s,
                        p == 0 ? Double.NaN : (double) s / p,
                        expected,
                        limit,
                        ok);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pass", pass && pairs > 0);
        m.put("pairs", pairs);
        m.put("same_address", same);
        return m;
    }

    /** ceil(n * b / bins). */
    private static BigInteger ceilDiv(BigInteger n, int b, int bins) {
        return n.multiply(BigInteger.valueOf(b))
                .add(BigInteger.valueOf(bins - 1))
                .divide(BigInteger.valueOf(bins));
    }

    /** P(X ≥ chi) for χ² with {@code df} degrees of freedom, by the Wilson–Hilferty approximation. */
    static double chiSquareUpperTail(double chi, int df) {
        double v = 2.0 / (9.0 * df);
        double z = (Math.cbrt(chi / df) - (1 - v)) / Math.sqrt(v);
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** Complementary error function (Numerical Recipes erfcc, relative error below 1.2e-7). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t
                * Math.exp(
                        -z * z
                                - 1.26551223
                                + t
                                        * (1.00002368
                                                + t
                                                        * (0.37409196
                                                                + t
                                                                        * (0.09678418
                                                                                + t
                                                                                        * (-0.18628806
                                                                                                + t
                                                                                                        * (0.27886807
                                                                                                                + t
                                                                                                                        * (-1.13520398
                                                                                                                                + t
                                                                                                                                        * (1.48851587
                                                                                                                                                + t
                                                                                                                                                        * (-0.82215223
                                                                                                                                                                + t
                                                                                                                                                                        * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
