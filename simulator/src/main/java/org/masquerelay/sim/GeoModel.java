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

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.egress.policy.LocationVerifier;
import org.masquerelay.ingress.config.GeolocationConfig;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.pool.AddressSelector;
import org.masquerelay.pool.City;
import org.masquerelay.pool.CityMatch;
import org.masquerelay.pool.Coordinates;
import org.masquerelay.pool.CsvGeoDatabase;
import org.masquerelay.pool.GeoDatabase;
import org.masquerelay.pool.GeoLocation;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.geo.AssertionWindow;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.geo.GeoAssertionVerifier;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.geo.SigningKey;
import org.masquerelay.protocol.status.RelayException;

/**
 * Model mode of {@code masque sim geo} (docs/simulator.md): a synthetic population goes through
 * the production location path of docs/architecture.md §4 without a socket, deterministically for a
 * seed.
 *
 * <ol>
 *   <li><b>Placement.</b> Each client picks a {@link Population} row by weight, a true position
 *       within its {@code spread_km}, and an address inside an address-plan prefix near that
 *       position, so the database's own error is part of the model.</li>
 *   <li><b>Ingress.</b> {@link ClientLocator} (the ingress's class) looks the address up and
 *       encodes the geohash at the configured precision, or applies the unknown-location policy;
 *       its signer, on a clock set to the simulated time, makes the {@code geo-assertion}.</li>
 *   <li><b>Egress.</b> {@link LocationVerifier} (the egress's class) verifies the assertion against
 *       the location the client presents (precise, or coarse: {@value MasqueClient#COARSE_PRECISION}
 *       characters, §4.3) and asks the {@link PoolRegistry} for the nearest city. The city depends on
 *       nothing else, so it runs once per distinct presented location.</li>
 *   <li><b>Connections.</b> Each client-hour has a Poisson number of inner connections at uniform
 *       times; each gets a fresh 32-byte key from the client's seeded stream, and {@link
 *       AddressSelector} picks its source address for the epoch (§4.5).</li>
 *   <li><b>Audit.</b> Ed25519 signing is slow, so assertions are compared on a sample: in the first
 *       {@code audit.windows} windows of each cell, the ingress signs for up to {@code
 *       audit.clients} clients, lowest ids first.</li>
 * </ol>
 *
 * <p>Clients are split in contiguous ranges over threads; each client has its own random stream
 * derived from the seed, trial and id, and results are merged by id, so the thread count does not
 * change any output.
 */
public final class GeoModel {
    /** The ingress as the model drives it; {@link #production} is the ingress's own class. */
    public interface Ingress {
        /** The location the assertion would carry, or empty when the client is refused. */
        Optional<SecChGeohash> locate(InetAddress client);

        /**
         * The {@code geo-assertion} field value at the clock's time.
         *
         * @throws RelayException when the client is refused
         */
        String assertionFor(InetAddress client);
    }

    /** Makes one {@link Ingress} per thread, each on its own clock, over a shared database. */
    public interface IngressFactory {
        Ingress open(GeolocationConfig config, GeoDatabase database, Clock clock);
    }

    /** The egress's choice of source address; {@link #PRODUCTION_SOURCES} is {@link AddressSelector}. */
    public interface SourceChooser {
        Optional<InetAddress> select(
                City city, byte[] connectionKey, long epoch, boolean targetHasIpv6, InetAddress client);
    }

    /** The ingress's {@link ClientLocator}. */
    public static final IngressFactory PRODUCTION_INGRESS = (config, database, clock) -> {
        ClientLocator locator = ClientLocator.open(config, database, clock);
        return new Ingress() {
            @Override
            public Optional<SecChGeohash> locate(InetAddress client) {
                return locator.locate(client);
            }

            @Override
            public String assertionFor(InetAddress client) {
                return locator.assertionFor(client);
            }
        };
    };

    /** The egress's {@link AddressSelector}: nothing of the client enters. */
    public static final SourceChooser PRODUCTION_SOURCES =
            (city, key, epoch, v6, client) -> AddressSelector.select(city, key, epoch, true, v6);

    /** How a client fared. */
    public enum Outcome {
        SERVED,
        FALLBACK,
        REFUSED;

        public String token() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One placed client and its fate. */
    public static final class Client {
        final int id;
        final Population.Row home;
        final Coordinates truth;
        final InetAddress address;
        final @Nullable GeoLocation dbLocation;
        final boolean coarse;

        @Nullable
        SecChGeohash asserted;

        @Nullable
        SecChGeohash presented;

        Outcome outcome = Outcome.REFUSED;
        String reason = "";

        @Nullable
        City city;

        int cityIndex = -1;
        int locationIndex = -1;
        int connections;

        Client(
                int id,
                Population.Row home,
                Coordinates truth,
                InetAddress address,
                @Nullable GeoLocation dbLocation,
                boolean coarse) {
            this.id = id;
            this.home = home;
            this.truth = truth;
            this.address = address;
            this.dbLocation = dbLocation;
            this.coarse = coarse;
        }
    }

    /**
     * The run's counts: the scenario's, or the command line's overrides.
     *
     * @param seed the base seed; trial {@code t} uses a seed derived from it and {@code t}
     */
    public record Counts(long seed, int trials, int clients) {
        public static Counts of(Scenario s, @Nullable Long seed, @Nullable Integer trials, @Nullable Integer clients) {
            return new Counts(
                    seed == null ? s.seedValue() : seed,
                    trials == null ? s.trialsValue() : trials,
                    clients == null ? s.clientsValue() : clients);
        }
    }

    private final Scenario scenario;
    private final Counts counts;
    private final Population population;
    private final PoolRegistry registry;
    private final GeoDatabase database;
    private final boolean perfectGeo;
    private final IngressFactory ingressFactory;
    private final SourceChooser sources;
    private final int threads;
    private final List<List<Map.Entry<IpPrefix, GeoLocation>>> candidates;
    private final double[] cumulativeWeight;
    private final AtomicLong progress = new AtomicLong();

    private GeoModel(
            Scenario scenario,
            Counts counts,
            Population population,
            PoolRegistry registry,
            GeoDatabase database,
            boolean perfectGeo,
            List<List<Map.Entry<IpPrefix, GeoLocation>>> candidates,
            IngressFactory ingressFactory,
            SourceChooser sources,
            int threads) {
        this.scenario = scenario;
        this.counts = counts;
        this.population = population;
        this.registry = registry;
        this.database = database;
        this.perfectGeo = perfectGeo;
        this.candidates = candidates;
        this.ingressFactory = ingressFactory;
        this.sources = sources;
        this.threads = threads;
        cumulativeWeight = new double[population.rows().size()];
        double sum = 0;
        for (int i = 0; i < cumulativeWeight.length; i++) {
            sum += population.rows().get(i).weight();
            cumulativeWeight[i] = sum;
        }
    }

    /**
     * Loads every input of a validated scenario and checks that they fit together: each
     * population city must have an address-plan prefix of its country near it.
     *
     * @throws ConfigException naming the file and row of each problem
     */
    public static GeoModel open(
            Scenario scenario,
            Counts counts,
            boolean perfectGeo,
            IngressFactory ingress,
            SourceChooser sources,
            int threads)
            throws ConfigException {
        if (counts.clients() < 1 || counts.clients() > Scenario.MAX_CLIENTS) {
            throw new ConfigException(
                    "clients", List.of(counts.clients() + " (expected: 1 to " + Scenario.MAX_CLIENTS + ")"));
        }
        Path pop = Objects.requireNonNull(scenario.population(), "population");
        Population population = Population.load(pop);
        PoolRegistry registry = PoolRegistry.load(Objects.requireNonNull(scenario.pool(), "pool"));
        GeolocationConfig geo = scenario.ingressConfig();
        Path plan = scenario.addressPlanFile();
        CsvGeoDatabase planDb = CsvGeoDatabase.load(plan);
        GeoDatabase database = GeoDatabase.open(Objects.requireNonNull(geo.database(), "ingress.database"));
        List<Map.Entry<IpPrefix, GeoLocation>> rows =
                new ArrayList<>(planDb.rows().entrySet());
        rows.sort(Map.Entry.comparingByKey());
        List<List<Map.Entry<IpPrefix, GeoLocation>>> candidates = new ArrayList<>();
        ConfigErrors errors = new ConfigErrors();
        for (Population.Row r : population.rows()) {
            double reach = r.spreadKm() + scenario.radiusKm();
            List<Map.Entry<IpPrefix, GeoLocation>> near = rows.stream()
                    .filter(e -> e.getValue().country().equals(r.country())
                            && e.getValue().coordinates().distanceKm(r.centre()) <= reach)
                    .toList();
            if (near.isEmpty() && !perfectGeo) {
                errors.add(
                        "line " + r.line() + " city",
                        r.city() + " (" + r.country() + ")",
                        "a city that " + plan.getFileName() + " can place: no " + r.country() + " prefix within "
                                + Math.round(reach) + " km (spread_km + address-radius-km)");
            }
            candidates.add(near);
        }
        errors.throwIfAny(pop.toString());
        return new GeoModel(
                scenario, counts, population, registry, database, perfectGeo, candidates, ingress, sources, threads);
    }

    /** The pool registry the egress routes by. */
    public PoolRegistry registry() {
        return registry;
    }

    public Scenario scenario() {
        return scenario;
    }

    public Counts counts() {
        return counts;
    }

    /** Clients done so far in the current run, for a progress line. */
    public AtomicLong progress() {
        return progress;
    }

    /** Runs one trial. */
    public TrialResult run(int trial) {
        progress.set(0);
        long seed = mix(counts.seed(), trial);
        Client[] clients = place(seed);
        GeoDatabase db = perfectGeo ? truthDatabase(clients) : database;
        Instant start = scenario.startOrDefault();
        SimClock clock = new SimClock(start);
        GeolocationConfig geo = scenario.ingressConfig();
        Ingress ingress = ingressFactory.open(geo, db, clock);
        route(clients, ingress, clock);
        int n = clients.length;
        int shards = Math.max(1, Math.min(threads, n / 1000 + 1));
        List<Shard> parts = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            parts.add(new Shard(clients, (int) ((long) n * s / shards), (int) ((long) n * (s + 1) / shards), seed));
        }
        if (shards == 1) {
            parts.get(0).run();
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(shards);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (Shard part : parts) {
                    done.add(pool.submit(part));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("model thread failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        return TrialResult.merge(trial, this, clients, parts, audit(clients, parts, geo, db));
    }

    /** A clock the model moves to each simulated event; one per thread. */
    static final class SimClock extends Clock {
        private Instant now;

        SimClock(Instant now) {
            this.now = now;
        }

        void set(Instant t) {
            now = t;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** SplitMix64 finaliser: independent streams from (seed, a). */
    static long mix(long seed, long a) {
        long z = seed + 0x9E3779B97F4A7C15L * (a + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private Client[] place(long seed) {
        int n = counts.clients();
        Client[] out = new Client[n];
        double coarse = scenario.coarseShare();
        double total = cumulativeWeight[cumulativeWeight.length - 1];
        for (int i = 0; i < n; i++) {
            SplittableRandom rng = new SplittableRandom(mix(seed, 2L * i));
            int row = Arrays.binarySearch(cumulativeWeight, rng.nextDouble() * total);
            row = row < 0 ? -row - 1 : row + 1;
            row = Math.min(row, cumulativeWeight.length - 1);
            while (population.rows().get(row).weight() <= 0) { // binary search may land on a 0-weight row
                row--;
            }
            Population.Row home = population.rows().get(row);
            Coordinates truth = jitter(home.centre(), home.spreadKm(), rng);
            boolean isCoarse = rng.nextDouble() < coarse;
            InetAddress address;
            if (perfectGeo) {
                address = indexAddress(i);
            } else {
                IpPrefix prefix = pickPrefix(candidates.get(row), truth, rng);
                long size = prefix.size()
                        .min(java.math.BigInteger.ONE.shiftLeft(62))
                        .longValueExact();
                address = prefix.addressAt(rng.nextLong(size));
            }
            GeoLocation db = perfectGeo
                    ? new GeoLocation(truth.latitude(), truth.longitude(), home.country(), "", home.city())
                    : database.lookup(address).orElse(null);
            out[i] = new Client(i, home, truth, address, db, isCoarse);
        }
        return out;
    }

    private IpPrefix pickPrefix(List<Map.Entry<IpPrefix, GeoLocation>> near, Coordinates at, SplittableRandom rng) {
        double radius = scenario.radiusKm();
        List<IpPrefix> inRadius = new ArrayList<>();
        IpPrefix nearest = near.get(0).getKey();
        double best = Double.POSITIVE_INFINITY;
        for (Map.Entry<IpPrefix, GeoLocation> e : near) {
            double km = e.getValue().coordinates().distanceKm(at);
            if (km <= radius) {
                inRadius.add(e.getKey());
            }
            if (km < best) {
                best = km;
                nearest = e.getKey();
            }
        }
        return inRadius.isEmpty() ? nearest : inRadius.get(rng.nextInt(inRadius.size()));
    }

    /** A point uniformly within {@code km} of {@code c} (equirectangular, fine below 1000 km). */
    static Coordinates jitter(Coordinates c, double km, SplittableRandom rng) {
        double r = km * Math.sqrt(rng.nextDouble());
        double theta = rng.nextDouble() * 2 * Math.PI;
        double lat = c.latitude() + r * Math.cos(theta) / 111.195;
        double cos = Math.max(0.01, Math.cos(Math.toRadians(c.latitude())));
        double lon = c.longitude() + r * Math.sin(theta) / (111.195 * cos);
        lat = Math.max(-90, Math.min(90, lat));
        lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
        return new Coordinates(lat, lon);
    }

    /** Client {@code i}'s address under {@code --perfect-geo}: 10.0.0.0/8 counted up. */
    static InetAddress indexAddress(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code --perfect-geo}: a database that knows every client's true position. */
    private static GeoDatabase truthDatabase(Client[] clients) {
        Map<InetAddress, GeoLocation> truth = new HashMap<>();
        for (Client c : clients) {
            truth.put(c.address, Objects.requireNonNull(c.dbLocation));
        }
        return address -> Optional.ofNullable(truth.get(GeoDatabase.unmapped(address)));
    }

    /**
     * The ingress and egress decisions, once per client: they depend on its address and mode
     * only. The egress runs once per distinct presented location (its city depends on nothing else).
     */
    private void route(Client[] clients, Ingress ingress, SimClock clock) {
        GeolocationConfig geo = scenario.ingressConfig();
        Map<String, PublicKey> trusted = new LinkedHashMap<>();
        for (SigningKey k : geo.keys()) {
            trusted.put(k.keyId(), k.publicKey());
        }
        LocationVerifier egress = new LocationVerifier(
                GeoAssertionVerifier.of(trusted, geo.assertionWindow(), GeoAssertionVerifier.DEFAULT_SKEW, clock),
                registry);
        Map<String, Integer> cityIndex = new HashMap<>();
        for (City c : registry.cities()) {
            cityIndex.put(c.id(), cityIndex.size());
        }
        Map<String, Object> egressResults = new HashMap<>();
        Map<SecChGeohash, Integer> locations = new HashMap<>();
        for (Client c : clients) {
            Optional<SecChGeohash> located = ingress.locate(c.address);
            if (located.isEmpty()) {
                c.outcome = Outcome.REFUSED;
                c.reason = "unknown_location";
                continue;
            }
            SecChGeohash asserted = located.get();
            c.asserted = asserted;
            c.locationIndex = locations.computeIfAbsent(asserted, l -> locations.size());
            c.presented = c.coarse && asserted.geohash().length() > MasqueClient.COARSE_PRECISION
                    ? asserted.truncate(MasqueClient.COARSE_PRECISION)
                    : asserted;
            SecChGeohash presented = c.presented;
            Object result = egressResults.computeIfAbsent(key(c), k -> {
                clock.set(scenario.startOrDefault());
                Http3Headers h = new DefaultHttp3Headers();
                try {
                    h.set(GeoAssertion.FIELD, ingress.assertionFor(c.address));
                } catch (RelayException e) {
                    return "ingress:" + e.getMessage();
                }
                h.set(SecChGeohash.FIELD, presented.toHeaderValue());
                try {
                    return egress.cityFor(h);
                } catch (RelayException e) {
                    return "egress:" + e.getMessage();
                }
            });
            if (result instanceof CityMatch m) {
                c.city = m.city();
                c.cityIndex = Objects.requireNonNull(cityIndex.get(m.city().id()));
                boolean fallback = m.reason() != CityMatch.Reason.IN_COUNTRY
                        || c.dbLocation == null; // located only through the unknown-location fallback
                c.outcome = fallback ? Outcome.FALLBACK : Outcome.SERVED;
                c.reason = c.dbLocation == null
                        ? "ingress_fallback"
                        : m.reason().name().toLowerCase(java.util.Locale.ROOT);
            } else {
                c.outcome = Outcome.REFUSED;
                c.reason = String.valueOf(result).startsWith("ingress:") ? "ingress_refused" : "no_egress_city";
            }
        }
    }

    private static String key(Client c) {
        SecChGeohash p = Objects.requireNonNull(c.presented);
        SecChGeohash a = Objects.requireNonNull(c.asserted);
        return a.toHeaderValue() + " " + p.toHeaderValue();
    }

    /** One thread's clients, [from, to): their connections and counters. */
    final class Shard implements Runnable {
        final Client[] clients;
        final int from;
        final int to;
        final long seed;
        /** Per connection: epoch index (14 bits), local address id (24 bits), client id (24 bits). */
        LongList packed = new LongList();

        final Map<AddressKey, Integer> addressIds = new HashMap<>();
        final List<InetAddress> addresses = new ArrayList<>();
        final IntList addressCity = new IntList();
        final int epochs;
        final long firstEpoch;
        /** [city][epoch]: clients with a connection. */
        final int[][] active;
        /** [city * 2 + v6][0 consecutive-epoch pairs, 1 same, 2 in-epoch pairs, 3 same]. */
        final long[][] link;

        long sticky;
        double stickyExpected;
        long stickyEligible;
        long unroutable;
        long connections;
        /**
         * Per location index, its first {@code audit.windows} windows (by {@code not_after}) to the
         * lowest client ids with a tunnel in them, and the tunnel's time.
         */
        final Map<Integer, TreeMap<Long, TreeMap<Integer, Instant>>> tunnels = new HashMap<>();

        Shard(Client[] clients, int from, int to, long seed) {
            this.clients = clients;
            this.from = from;
            this.to = to;
            this.seed = seed;
            Instant start = scenario.startOrDefault();
            firstEpoch = registry.epochOf(start);
            long last = registry.epochOf(
                    start.plus(Duration.ofHours(scenario.hours())).minusMillis(1));
            epochs = (int) (last - firstEpoch + 1);
            active = new int[registry.cities().size()][epochs];
            link = new long[registry.cities().size() * 2][4];
        }

        @Override
        public void run() {
            Instant start = scenario.startOrDefault();
            AssertionWindow window = scenario.ingressConfig().assertionWindow();
            double rate = scenario.connectionRate();
            double v6Share = scenario.ipv6Share();
            int hours = scenario.hours();
            int audited = scenario.auditClients();
            int auditWindows = scenario.auditWindows();
            byte[] key = new byte[AddressSelector.KEY_BYTES];
            long[] times = new long[64];
            for (int i = from; i < to; i++) {
                Client c = clients[i];
                progress.incrementAndGet();
                City city = c.city;
                if (city == null) {
                    continue;
                }
                SplittableRandom rng = new SplittableRandom(mix(seed, 2L * i + 1));
                int lastEpoch = -1;
                int[] prevFirst = {-1, -1};
                int[] curFirst = {-1, -1};
                boolean[] pairDone = new boolean[2];
                // per family: connections, the one address they all used (-1: several), first and last epoch
                int[] count = {0, 0};
                int[] single = {-2, -2};
                int[] firstE = {-1, -1};
                int[] lastE = {-1, -1};
                for (int h = 0; h < hours; h++) {
                    int n = poisson(rate, rng);
                    if (n == 0) {
                        continue;
                    }
                    if (n > times.length) {
                        times = new long[n];
                    }
                    long hourStart = start.toEpochMilli() + h * 3_600_000L;
                    for (int j = 0; j < n; j++) {
                        times[j] = hourStart + rng.nextLong(3_600_000L);
                    }
                    Arrays.sort(times, 0, n);
                    Instant tunnel = Instant.ofEpochMilli(times[0]);
                    recordTunnel(tunnels, c.locationIndex, window.notAfter(tunnel), i, tunnel, auditWindows, audited);
                    for (int j = 0; j < n; j++) {
                        for (int b = 0; b < key.length; b += 8) {
                            long r = rng.nextLong();
                            for (int q = 0; q < 8; q++) {
                                key[b + q] = (byte) (r >>> (8 * q));
                            }
                        }
                        long epoch = registry.epochOf(Instant.ofEpochMilli(times[j]));
                        int e = (int) (epoch - firstEpoch);
                        boolean wantV6 = rng.nextDouble() < v6Share;
                        Optional<InetAddress> chosen = sources.select(city, key, epoch, wantV6, c.address);
                        if (chosen.isEmpty()) {
                            unroutable++;
                            continue;
                        }
                        InetAddress a = chosen.get();
                        int fam = a.getAddress().length == 16 ? 1 : 0;
                        AddressKey ak = AddressKey.of(a);
                        Integer known = addressIds.get(ak);
                        int id;
                        if (known == null) {
                            id = addresses.size();
                            addressIds.put(ak, id);
                            addresses.add(a);
                            addressCity.add(c.cityIndex);
                        } else {
                            id = known;
                        }
                        packed.add(((long) e << 48) | ((long) id << 24) | i);
                        connections++;
                        c.connections++;
                        count[fam]++;
                        single[fam] = single[fam] == -2 || single[fam] == id ? id : -1;
                        firstE[fam] = firstE[fam] < 0 ? e : firstE[fam];
                        lastE[fam] = e;
                        long[] l = link[c.cityIndex * 2 + fam];
                        if (e != lastEpoch) {
                            boolean next = lastEpoch >= 0 && e == lastEpoch + 1;
                            prevFirst[0] = next ? curFirst[0] : -1;
                            prevFirst[1] = next ? curFirst[1] : -1;
                            curFirst[0] = -1;
                            curFirst[1] = -1;
                            pairDone[0] = false;
                            pairDone[1] = false;
                            lastEpoch = e;
                            active[c.cityIndex][e]++;
                        }
                        if (curFirst[fam] < 0) {
                            curFirst[fam] = id;
                            if (prevFirst[fam] >= 0) {
                                l[0]++;
                                l[1] += prevFirst[fam] == id ? 1 : 0;
                            }
                        } else if (!pairDone[fam]) {
                            l[2]++;
                            l[3] += curFirst[fam] == id ? 1 : 0;
                            pairDone[fam] = true;
                        }
                    }
                }
                for (int f = 0; f < 2; f++) {
                    if (count[f] >= 2 && lastE[f] > firstE[f]) { // one family seen in two epochs or more
                        stickyEligible++;
                        sticky += single[f] >= 0 ? 1 : 0;
                        stickyExpected += Math.pow(1 / poolSize(city, f == 1).doubleValue(), count[f] - 1);
                    }
                }
            }
        }
    }

    /** Keeps, per location, the first {@code windows} windows and their lowest {@code clients} ids. */
    static void recordTunnel(
            Map<Integer, TreeMap<Long, TreeMap<Integer, Instant>>> tunnels,
            int location,
            long notAfter,
            int client,
            Instant at,
            int windows,
            int clients) {
        TreeMap<Long, TreeMap<Integer, Instant>> byWindow = tunnels.computeIfAbsent(location, x -> new TreeMap<>());
        TreeMap<Integer, Instant> ids = byWindow.get(notAfter);
        if (ids == null) {
            if (byWindow.size() >= windows && notAfter > byWindow.lastKey()) {
                return;
            }
            ids = new TreeMap<>();
            byWindow.put(notAfter, ids);
            if (byWindow.size() > windows) {
                byWindow.pollLastEntry();
            }
        }
        ids.putIfAbsent(client, at);
        if (ids.size() > clients) {
            ids.pollLastEntry();
        }
    }

    /**
     * The one-assertion-per-cell audit: for the first windows of each cell, the ingress signs for
     * the lowest client ids that had a tunnel then, each at its tunnel's time, and the values are
     * compared.
     */
    private AuditResult audit(Client[] clients, List<Shard> parts, GeolocationConfig geo, GeoDatabase db) {
        Map<Integer, TreeMap<Long, TreeMap<Integer, Instant>>> merged = new TreeMap<>();
        int windows = scenario.auditWindows();
        int perWindow = scenario.auditClients();
        for (Shard part : parts) {
            part.tunnels.forEach((loc, byWindow) -> byWindow.forEach((notAfter, ids) ->
                    ids.forEach((id, at) -> recordTunnel(merged, loc, notAfter, id, at, windows, perWindow))));
        }
        SimClock clock = new SimClock(scenario.startOrDefault());
        Ingress ingress = ingressFactory.open(geo, db, clock);
        long checked = 0;
        long mismatched = 0;
        long signatures = 0;
        long unique = 0;
        String example = "";
        for (TreeMap<Long, TreeMap<Integer, Instant>> byWindow : merged.values()) {
            for (TreeMap<Integer, Instant> ids : byWindow.values()) {
                if (ids.size() < 2) {
                    continue;
                }
                Map<String, Integer> values = new TreeMap<>();
                for (Map.Entry<Integer, Instant> e : ids.entrySet()) {
                    clock.set(e.getValue());
                    values.merge(ingress.assertionFor(clients[e.getKey()].address), 1, Integer::sum);
                    signatures++;
                }
                checked++;
                if (values.size() > 1) {
                    mismatched++;
                    unique += values.values().stream().filter(v -> v == 1).count();
                    if (example.isEmpty()) {
                        example = String.join(" | ", values.keySet());
                    }
                }
            }
        }
        return new AuditResult(checked, mismatched, signatures, unique, example);
    }

    /**
     * The assertion audit's counts.
     *
     * @param checked cell-windows with two clients or more compared
     * @param mismatched of those, cell-windows whose clients got different bytes
     * @param signatures assertions signed for the audit
     * @param uniqueValues assertion values held by a single client of a mismatched cell-window
     * @param example the differing values of the first mismatched cell-window, or empty
     */
    public record AuditResult(long checked, long mismatched, long signatures, long uniqueValues, String example) {}

    static java.math.BigInteger poolSize(City city, boolean ipv6) {
        return city.prefixes(ipv6).stream()
                .map(IpPrefix::size)
                .reduce(java.math.BigInteger.ZERO, java.math.BigInteger::add);
    }

    /** Knuth's method; fine for the small means a client-hour has. */
    static int poisson(double mean, SplittableRandom rng) {
        double limit = Math.exp(-mean);
        double p = rng.nextDouble();
        int k = 0;
        while (p > limit && k < 1000) {
            k++;
            p *= rng.nextDouble();
        }
        return k;
    }

    /**
     * An address as two longs with a well-mixed hash: {@link java.net.Inet6Address}'s own hash
     * collides for pool addresses that differ in the low bits of different words.
     */
    record AddressKey(long hi, long lo) {
        static AddressKey of(InetAddress a) {
            byte[] b = a.getAddress();
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < b.length; i++) {
                if (i < b.length - 8) {
                    hi = (hi << 8) | (b[i] & 0xFF);
                } else {
                    lo = (lo << 8) | (b[i] & 0xFF);
                }
            }
            return new AddressKey(b.length == 16 ? hi : -1, lo);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AddressKey k && k.hi == hi && k.lo == lo;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(mix(hi, lo));
        }
    }

    /** A growable list of longs. */
    static final class LongList {
        long[] values = new long[1024];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** A growable list of ints. */
    static final class IntList {
        int[] values = new int[256];
        int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }
}
