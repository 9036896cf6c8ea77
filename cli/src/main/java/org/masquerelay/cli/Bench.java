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
package org.masquerelay.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.MasqueClient.ConnectionStats;
import org.masquerelay.client.MasqueClient.LocationPrecision;
import org.masquerelay.client.MasqueClient.Route;
import org.masquerelay.client.UdpEchoProbe;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.tools.bench.H3BulkClient;
import org.masquerelay.tools.bench.H3BulkServer;
import org.masquerelay.tools.bench.HopMeter;
import org.masquerelay.tools.bench.HopMeter.Hop;
import org.masquerelay.tools.bench.HopMeter.SyscallCounter;
import org.masquerelay.tools.bench.Profile;
import org.masquerelay.tools.bench.WarmUp;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * The loopback benchmark behind {@code masque bench}: every arm in one run, so each ratio shares
 * the machine's current noise.
 *
 * <ul>
 *   <li><b>direct</b>: plain TCP to the origin;
 *   <li><b>h3</b>: one QUIC+HTTP/3 stream to a plain HTTP/3 server on the relays' own QUIC
 *       settings, no relay: the ceiling of the transport;
 *   <li><b>one-hop</b>: the client's inner connection straight to the egress, no ingress;
 *   <li><b>two-hop</b>: client to ingress to egress, every inner packet tunnelled in the outer
 *       connection;
 *   <li><b>forwarded</b>: the same path in forwarded mode (docs/quic-forwarding.md), the
 *       default: inner short headers cross the ingress without the outer connection.
 * </ul>
 *
 * <p>Each arm warms up until a run's throughput stops rising (or says it did not), then takes
 * the median of {@code runs} runs. For the measured runs it accounts per hop: CPU from the
 * threads' own counters, QUIC packets from the client's connection statistics, system calls from
 * {@code perf} when present, and every drop counter we have: the relays' datagram drops, the
 * kernel's UDP buffer errors, and the QUIC packets the two connections lost. Inner packets are
 * {@value #INNER_PACKET} bytes, outer ones {@value #OUTER_PACKET}; the h3 arm uses the inner size
 * so that it compares like with like with the one-hop arm.
 */
final class Bench {
    static final int INNER_PACKET = 1350;
    static final int OUTER_PACKET = 1452;

    /** What to run. */
    /**
     * @param clients the client counts of the scaling table (two hops, every client at once);
     *     empty for none
     * @param capsules also measure two hops with the tunnel on DATAGRAM capsules: over the QUIC
     *     connection ({@code h3-caps}) and over HTTP/2 on TCP ({@code h2-caps}, the fallback)
     */
    record Options(
            long bytes,
            int runs,
            int maxWarmup,
            int datagrams,
            int size,
            Optional<Path> profile,
            List<Integer> clients,
            boolean capsules) {
        Options {
            clients = List.copyOf(clients);
        }

        Options(
                long bytes,
                int runs,
                int maxWarmup,
                int datagrams,
                int size,
                Optional<Path> profile,
                List<Integer> clients) {
            this(bytes, runs, maxWarmup, datagrams, size, profile, clients, false);
        }
    }

    /**
     * One row of the scaling table: {@code clients} two-hop clients fetching at once.
     *
     * @param mbps median aggregate throughput
     * @param relayCpuPer64 both relays' CPU-seconds per 64 MiB carried
     * @param allCpuPer64 every thread's CPU-seconds per 64 MiB (clients, relays, origin, JVM)
     * @param ingressSockets the ingress's connections per socket while the clients were open
     */
    record Scale(int clients, double mbps, double relayCpuPer64, double allCpuPer64, List<Integer> ingressSockets) {}

    /** Event loops (and QUIC sockets) per relay in the bench: one per core, as in production. */
    static final int RELAY_THREADS = Runtime.getRuntime().availableProcessors();

    /** One arm's outcome: throughput per measured run, and its per-hop accounting. */
    record ArmResult(
            String name,
            double[] mbps,
            boolean settled,
            int warmupRuns,
            long measuredBytes,
            long wallNanos,
            Map<Hop, Long> cpuNanos,
            Optional<Map<Hop, Long>> syscalls,
            Map<Hop, Long> packets,
            String drops) {
        double median() {
            return Bench.median(mbps);
        }
    }

    /** Datagram round-trip percentiles, medians over runs, in microseconds. */
    record Rtt(String name, int window, double p50, double p99, double delivered) {}

    /** The whole report. */
    record Report(List<ArmResult> arms, List<Rtt> rtts, List<Scale> scaling) {
        ArmResult arm(String name) {
            return arms.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
        }
    }

    /** A bulk transfer of {@code bytes}: returns the body length and the nanoseconds it took. */
    @FunctionalInterface
    private interface Transfer {
        long[] run(long bytes) throws Exception;
    }

    /** Packets through each hop so far, from connection statistics. */
    @FunctionalInterface
    private interface PacketCounter {
        Map<Hop, Long> now() throws Exception;
    }

    private final Options options;
    private final PrintStream log;

    Bench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    Report run() throws Exception {
        Path dir = Files.createTempDirectory("masque-bench");
        try (HttpOrigin origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
                UdpEchoServer echo = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0))) {
            // The plain relay pair (no tokens, no location): the bench measures the data path.
            LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of("127.0.0.3"));
            ClientConfig clientConfig = ClientConfig.load(dir.resolve("client.yaml"));
            try (EgressServer egress =
                            EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")), RELAY_THREADS);
                    IngressServer ingress =
                            IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")), RELAY_THREADS);
                    H3BulkServer h3Server = new H3BulkServer(
                            new InetSocketAddress("127.0.0.1", 0),
                            dir.resolve("egress.key"),
                            dir.resolve("egress.crt"),
                            INNER_PACKET);
                    H3BulkClient h3 = new H3BulkClient(h3Server.localAddress(), INNER_PACKET);
                    MasqueClient oneHop =
                            new MasqueClient(clientConfig, false, null, LocationPrecision.PRECISE, Route.EGRESS_ONLY);
                    MasqueClient twoHop = new MasqueClient(clientConfig, false, null);
                    MasqueClient forwarded = new MasqueClient(clientConfig, false, null);
                    MasqueClient h3Capsules = new MasqueClient(withoutDatagrams(clientConfig), false, null);
                    MasqueClient h2Capsules = new MasqueClient(clientConfig, false, null)) {
                h3Capsules.offerForwarding(List.of());
                h2Capsules.transport(MasqueClient.Transport.H2);
                // docs/quic-forwarding.md: the same two hops, tunnelled and in forwarded mode.
                twoHop.offerForwarding(List.of());
                oneHop.connect().get(15, TimeUnit.SECONDS);
                twoHop.connect().get(15, TimeUnit.SECONDS);
                forwarded.connect().get(15, TimeUnit.SECONDS);
                if (options.capsules()) {
                    h3Capsules.connect().get(15, TimeUnit.SECONDS);
                    h2Capsules.connect().get(15, TimeUnit.SECONDS);
                }
                Optional<Profile> profile = options.profile().isPresent()
                        ? Optional.of(Profile.start(options.profile().get()))
                        : Optional.empty();
                List<Arm> arms = new ArrayList<>();
                arms.add(new Arm(
                        "direct",
                        List.of(Hop.ORIGIN, Hop.JVM),
                        n -> directTcp(origin.localAddress(), n),
                        Map::of,
                        KERNEL_DROPS));
                arms.add(new Arm(
                        "h3",
                        List.of(Hop.CLIENT, Hop.ORIGIN, Hop.JVM),
                        n -> h3.fetch(n).get(10, TimeUnit.MINUTES),
                        () -> {
                            long p = h3.packets().get(10, TimeUnit.SECONDS);
                            return Map.of(Hop.CLIENT, p, Hop.ORIGIN, p);
                        },
                        KERNEL_DROPS));
                arms.add(new Arm(
                        "one-hop",
                        List.of(Hop.CLIENT, Hop.EGRESS, Hop.JVM),
                        n -> fetch(oneHop, origin, n),
                        () -> packets(oneHop),
                        drops(null, egress, oneHop)));
                arms.add(new Arm(
                        "two-hop",
                        List.of(Hop.CLIENT, Hop.INGRESS, Hop.EGRESS, Hop.JVM),
                        n -> fetch(twoHop, origin, n),
                        () -> packets(twoHop),
                        drops(ingress, egress, twoHop)));
                arms.add(new Arm(
                        "forwarded",
                        List.of(Hop.CLIENT, Hop.INGRESS, Hop.EGRESS, Hop.JVM),
                        n -> fetch(forwarded, origin, n),
                        () -> packets(forwarded),
                        drops(ingress, egress, forwarded)));
                if (options.capsules()) {
                    arms.add(new Arm(
                            "h3-caps",
                            List.of(Hop.CLIENT, Hop.INGRESS, Hop.EGRESS, Hop.JVM),
                            n -> fetch(h3Capsules, origin, n),
                            () -> packets(h3Capsules),
                            drops(ingress, egress, h3Capsules)));
                    arms.add(new Arm(
                            "h2-caps",
                            List.of(Hop.CLIENT, Hop.INGRESS, Hop.EGRESS, Hop.JVM),
                            n -> fetch(h2Capsules, origin, n),
                            () -> packets(h2Capsules),
                            drops(ingress, egress, h2Capsules)));
                }
                List<ArmResult> results = measure(arms);
                if (forwarded.forwardedPackets(false) == 0) {
                    throw new IllegalStateException("the forwarded arm sent nothing in forwarded mode");
                }
                List<Rtt> rtts = new ArrayList<>();
                for (int window : new int[] {1, 32}) {
                    rtts.add(rtt("direct", window, () -> directEcho(echo.localAddress(), window)));
                    rtts.add(rtt("one-hop", window, () -> probe(oneHop, echo, window)));
                    rtts.add(rtt("two-hop", window, () -> probe(twoHop, echo, window)));
                    rtts.add(rtt("forwarded", window, () -> probe(forwarded, echo, window)));
                    if (options.capsules()) {
                        rtts.add(rtt("h3-caps", window, () -> probe(h3Capsules, echo, window)));
                        rtts.add(rtt("h2-caps", window, () -> probe(h2Capsules, echo, window)));
                    }
                }
                List<Scale> scaling = new ArrayList<>();
                for (int k : options.clients()) {
                    scaling.add(scale(k, clientConfig, origin, ingress));
                }
                if (profile.isPresent()) {
                    try (Profile p = profile.get()) {
                        p.stop(log, 12);
                    }
                }
                return new Report(results, rtts, scaling);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One arm to run: how to transfer, which hops it crosses, and its counters. */
    private record Arm(String name, List<Hop> hops, Transfer transfer, PacketCounter packets, DropCounter drops) {}

    /** An arm's accumulated measurements. */
    private static final class Tally {
        final WarmUp warm = new WarmUp();
        final double[] mbps;
        long bytes;
        long wall;
        Map<Hop, Long> cpu = new EnumMap<>(Hop.class);
        Map<Hop, Long> packets = new EnumMap<>(Hop.class);
        Optional<Map<Hop, Long>> syscalls = Optional.of(new EnumMap<>(Hop.class));
        Map<String, Long> drops = new java.util.TreeMap<>();

        Tally(int runs) {
            mbps = new double[runs];
        }
    }

    /**
     * Warms up and measures the arms round-robin, one run of each in turn, so that JIT
     * compilation and the machine's drift weigh on every arm alike. Warm-up ends for an arm once
     * a run no longer beats its best by 5%, twice in a row (or at {@code maxWarmup}); every
     * measured run is accounted by its own before/after counters.
     */
    private List<ArmResult> measure(List<Arm> arms) throws Exception {
        List<Tally> tallies = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) {
            tallies.add(new Tally(options.runs()));
        }
        for (int round = 0; round < options.maxWarmup(); round++) {
            boolean all = true;
            for (int i = 0; i < arms.size(); i++) {
                Tally t = tallies.get(i);
                if (t.warm.settled()) {
                    continue;
                }
                t.warm.add(mbps(arms.get(i).transfer().run(options.bytes())));
                all &= t.warm.settled();
            }
            if (all) {
                break;
            }
        }
        for (int i = 0; i < arms.size(); i++) {
            Tally t = tallies.get(i);
            log.printf(Locale.ROOT, "%-9s warm-up %s%n", arms.get(i).name(), t.warm.describe());
        }
        for (int run = 0; run < options.runs(); run++) {
            for (int i = 0; i < arms.size(); i++) {
                Arm arm = arms.get(i);
                Tally t = tallies.get(i);
                Map<String, Long> drops0 = arm.drops().snapshot();
                Map<Hop, Long> packets0 = arm.packets().now();
                Optional<SyscallCounter> syscalls = HopMeter.syscalls();
                Map<Hop, Long> cpu0 = HopMeter.cpuNanos();
                long t0 = System.nanoTime();
                long[] r = arm.transfer().run(options.bytes());
                t.wall += System.nanoTime() - t0;
                Map<Hop, Long> cpu = HopMeter.delta(cpu0, HopMeter.cpuNanos());
                if (syscalls.isPresent() && t.syscalls.isPresent()) {
                    add(t.syscalls.get(), syscalls.get().stop());
                } else {
                    t.syscalls = Optional.empty();
                }
                add(t.cpu, cpu);
                add(t.packets, HopMeter.delta(packets0, arm.packets().now()));
                arm.drops().snapshot().forEach((k, v) -> t.drops.merge(k, v - drops0.getOrDefault(k, 0L), Long::sum));
                if (r[0] != options.bytes()) {
                    throw new IllegalStateException(arm.name() + ": got " + r[0] + " of " + options.bytes() + " bytes");
                }
                t.bytes += r[0];
                t.mbps[run] = mbps(r);
            }
        }
        List<ArmResult> out = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) {
            Arm arm = arms.get(i);
            Tally t = tallies.get(i);
            log.printf(Locale.ROOT, "%-9s runs    %s MB/s%n", arm.name(), format(t.mbps));
            t.cpu.keySet().retainAll(arm.hops());
            StringBuilder drops = new StringBuilder();
            t.drops.forEach((k, v) -> drops.append(drops.length() == 0 ? "" : ", ")
                    .append(k)
                    .append(' ')
                    .append(v));
            out.add(new ArmResult(
                    arm.name(),
                    t.mbps,
                    t.warm.settled(),
                    t.warm.runs().size(),
                    t.bytes,
                    t.wall,
                    t.cpu,
                    t.syscalls,
                    t.packets,
                    drops.toString()));
        }
        return out;
    }

    /**
     * {@code k} two-hop clients, each on its own event loop and its own outer connection, each
     * fetching {@code --bytes} at once; warmed up like the arms, then {@code --runs} rounds.
     */
    private Scale scale(int k, ClientConfig config, HttpOrigin origin, IngressServer ingress) throws Exception {
        List<MasqueClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                MasqueClient c = new MasqueClient(config, false, null);
                clients.add(c);
                c.connect().get(15, TimeUnit.SECONDS);
            }
            List<Integer> sockets = ingress.connectionsPerSocket();
            WarmUp warm = new WarmUp();
            for (int round = 0; round < options.maxWarmup() && !warm.settled(); round++) {
                warm.add(mbps(fetchAll(clients, origin)));
            }
            double[] mbps = new double[options.runs()];
            long relayCpu = 0;
            long allCpu = 0;
            long bytes = 0;
            for (int run = 0; run < options.runs(); run++) {
                Map<Hop, Long> cpu0 = HopMeter.cpuNanos();
                long[] r = fetchAll(clients, origin);
                Map<Hop, Long> cpu = HopMeter.delta(cpu0, HopMeter.cpuNanos());
                relayCpu += cpu.getOrDefault(Hop.INGRESS, 0L) + cpu.getOrDefault(Hop.EGRESS, 0L);
                allCpu += cpu.values().stream().mapToLong(Long::longValue).sum();
                bytes += r[0];
                mbps[run] = mbps(r);
            }
            log.printf(Locale.ROOT, "%d client(s): warm-up %s, runs %s MB/s%n", k, warm.describe(), format(mbps));
            double per64 = (64.0 * (1 << 20)) / bytes;
            return new Scale(k, median(mbps), relayCpu / 1e9 * per64, allCpu / 1e9 * per64, sockets);
        } finally {
            for (MasqueClient c : clients) {
                c.close();
            }
        }
    }

    /** Every client fetches {@code --bytes} at once; returns {total bytes, wall nanos}. */
    private long[] fetchAll(List<MasqueClient> clients, HttpOrigin origin) throws Exception {
        long t0 = System.nanoTime();
        List<CompletableFuture<HttpFetcher.Result>> all = new ArrayList<>();
        for (MasqueClient c : clients) {
            all.add(HttpFetcher.fetch(
                    c, origin.uri("/bytes/" + options.bytes()), OutputStream.nullOutputStream(), false));
        }
        long total = 0;
        for (CompletableFuture<HttpFetcher.Result> f : all) {
            long got = f.get(10, TimeUnit.MINUTES).bodyBytes();
            if (got != options.bytes()) {
                throw new IllegalStateException("scaling: got " + got + " of " + options.bytes() + " bytes");
            }
            total += got;
        }
        return new long[] {total, System.nanoTime() - t0};
    }

    private static void add(Map<Hop, Long> into, Map<Hop, Long> delta) {
        delta.forEach((h, v) -> into.merge(h, v, Long::sum));
    }

    /** Counters that can only grow: relay drops, kernel UDP errors, QUIC losses. */
    @FunctionalInterface
    private interface DropCounter {
        Map<String, Long> snapshot() throws Exception;
    }

    private static double mbps(long[] r) {
        return r[0] / (r[1] / 1e9) / 1e6;
    }

    private static long[] fetch(MasqueClient client, HttpOrigin origin, long n) throws Exception {
        HttpFetcher.Result r = HttpFetcher.fetch(
                        client, origin.uri("/bytes/" + n), OutputStream.nullOutputStream(), false)
                .get(10, TimeUnit.MINUTES);
        return new long[] {r.bodyBytes(), r.nanos()};
    }

    /**
     * QUIC packets sent and received per hop: the client handles the outer and the inner
     * connection's, the ingress the outer's and the forwarded ones, the egress the inner's.
     */
    /** The same client config with QUIC DATAGRAM frames off on the outer connection: capsules. */
    private static ClientConfig withoutDatagrams(ClientConfig c) {
        return new ClientConfig(
                c.ingress(),
                c.egress(),
                c.caFile(),
                c.uriTemplate(),
                c.innerMaxUdpPayload(),
                c.tokens(),
                false,
                false,
                c.transport());
    }

    private static Map<Hop, Long> packets(MasqueClient client) throws Exception {
        ConnectionStats s = client.connectionStats().get(10, TimeUnit.SECONDS);
        long inner = s.inner().sent() + s.inner().recv();
        long outer = s.outer().map(o -> o.sent() + o.recv()).orElse(0L);
        // In forwarded mode the ingress also handles the inner packets that skip the outer connection.
        long forwarded = client.forwardedPackets(true) + client.forwardedPackets(false);
        Map<Hop, Long> out = new EnumMap<>(Hop.class);
        out.put(Hop.CLIENT, inner + outer);
        out.put(Hop.INGRESS, outer + forwarded);
        out.put(Hop.EGRESS, inner);
        return out;
    }

    private static final Pattern DROPS =
            Pattern.compile("(?m)^(masque_\\w+_datagram_drops_total)\\{reason=\"(\\w+)\"[^}]*} ([0-9.E]+)$");

    /** Relay datagram drops, kernel UDP buffer errors and QUIC losses, as totals so far. */
    private static DropCounter drops(
            @org.jspecify.annotations.Nullable IngressServer ingress, EgressServer egress, MasqueClient client) {
        return () -> {
            Map<String, Long> out = new java.util.TreeMap<>();
            relayDrops(ingress, egress).forEach((k, v) -> out.put(k, Math.round(v)));
            out.putAll(KERNEL_DROPS.snapshot());
            long[] quic = quicLosses(client);
            if (ingress != null) {
                out.put("outer QUIC lost", quic[0]);
            }
            out.put("inner QUIC lost", quic[1]);
            out.put("inner QUIC retransmitted", quic[2]);
            return out;
        };
    }

    /** The kernel's UDP buffer errors: every arm has them, the relay arms add their own. */
    private static final DropCounter KERNEL_DROPS = () -> {
        long[] udp = udpErrors();
        return Map.of("kernel UDP rcvbuf errors", udp[0], "kernel UDP sndbuf errors", udp[1]);
    };

    private static Map<String, Double> relayDrops(
            @org.jspecify.annotations.Nullable IngressServer ingress, EgressServer egress) {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (String text : new String[] {ingress == null ? "" : ingress.scrapeMetrics(), egress.scrapeMetrics()}) {
            Matcher m = DROPS.matcher(text);
            while (m.find()) {
                String hop = m.group(1).startsWith("masque_ingress") ? "ingress" : "egress";
                out.merge(hop + " " + m.group(2), Double.parseDouble(m.group(3)), Double::sum);
            }
        }
        return out;
    }

    /** {@code Udp: RcvbufErrors SndbufErrors} from {@code /proc/net/snmp}: the kernel's drops. */
    private static long[] udpErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp: ") && lines.get(i + 1).startsWith("Udp: ")) {
                    List<String> names = Arrays.asList(lines.get(i).split(" "));
                    String[] values = lines.get(i + 1).split(" ");
                    return new long[] {
                        Long.parseLong(values[names.indexOf("RcvbufErrors")]),
                        Long.parseLong(values[names.indexOf("SndbufErrors")])
                    };
                }
            }
        } catch (Exception e) {
            // not Linux: no kernel counters
        }
        return new long[2];
    }

    private static long[] quicLosses(MasqueClient client) throws Exception {
        ConnectionStats s = client.connectionStats().get(10, TimeUnit.SECONDS);
        return new long[] {
            s.outer().map(o -> o.lost()).orElse(0L), s.inner().lost(), s.inner().retrans()
        };
    }

    private static long[] directTcp(InetSocketAddress origin, long n) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(origin);
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            out.write(("GET /bytes/" + n + " HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            byte[] endOfHead = {'\r', '\n', '\r', '\n'};
            int matched = 0; // bytes of endOfHead seen so far; 4 once in the body
            long total = 0;
            int r;
            while ((r = in.read(buf)) > 0) {
                int i = 0;
                while (matched < 4 && i < r) {
                    // Skip the response head: count only the body, as the other arms do.
                    byte c = buf[i++];
                    matched = c == endOfHead[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
                }
                total += r - i;
            }
            return new long[] {total, System.nanoTime() - t0};
        }
    }

    @FunctionalInterface
    private interface EchoRun {
        UdpEchoProbe.Result run() throws Exception;
    }

    private Rtt rtt(String name, int window, EchoRun run) throws Exception {
        run.run(); // warm-up
        int runs = Math.max(3, options.runs());
        double[] p50 = new double[runs];
        double[] p99 = new double[runs];
        double[] delivered = new double[runs];
        for (int i = 0; i < runs; i++) {
            UdpEchoProbe.Result r = run.run();
            p50[i] = r.p50Nanos() / 1e3;
            p99[i] = r.p99Nanos() / 1e3;
            delivered[i] = r.deliveredRatio();
        }
        return new Rtt(name, window, median(p50), median(p99), median(delivered));
    }

    private UdpEchoProbe.Result probe(MasqueClient client, UdpEchoServer echo, int window) throws Exception {
        return UdpEchoProbe.run(
                client, "127.0.0.1", echo.localAddress().getPort(), options.datagrams(), options.size(), window, 1000);
    }

    /** The same windowed echo loop over a plain UDP socket. */
    private UdpEchoProbe.Result directEcho(InetSocketAddress echo, int window) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(echo);
            UdpEchoProbe.Windowed loop = new UdpEchoProbe.Windowed(options.datagrams(), window, 1000) {
                @Override
                protected void send(long seq) throws Exception {
                    ByteBuffer b = ByteBuffer.allocate(options.size());
                    b.putLong(0, seq);
                    ch.write(b);
                }
            };
            Thread reader = new Thread(
                    () -> {
                        ByteBuffer in = ByteBuffer.allocate(options.size() + 64);
                        try {
                            while (ch.isOpen()) {
                                in.clear();
                                if (ch.read(in) >= 8) {
                                    loop.echoed(in.getLong(0));
                                }
                            }
                        } catch (Exception closed) {
                            // the channel closed: the run is over
                        }
                    },
                    "bench-direct-echo");
            reader.setDaemon(true);
            reader.start();
            return loop.run();
        }
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static String format(List<Double> v) {
        return format(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String format(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", d));
        }
        return b.toString();
    }

    /** Prints the report: throughput and ratios, per-hop accounting, drops, and RTT. */
    static void print(Report report, Options options, PrintStream out) {
        double mib = options.bytes() / (double) (1 << 20);
        out.printf(
                Locale.ROOT,
                "%nmasque bench: medians of %d runs of %.0f MiB per arm, round-robin after warm-up, Java %s, %d cores%n",
                options.runs(),
                mib,
                Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        out.printf("  %-9s %9s  %-28s %s%n", "arm", "MB/s", "ratios", "warm-up");
        ArmResult h3 = report.arm("h3");
        ArmResult one = report.arm("one-hop");
        ArmResult direct = report.arm("direct");
        for (ArmResult a : report.arms()) {
            String ratios = switch (a.name()) {
                case "h3" -> String.format(Locale.ROOT, "%.3f x direct", a.median() / direct.median());
                case "one-hop" -> String.format(Locale.ROOT, "%.2f x h3", a.median() / h3.median());
                case "two-hop" ->
                    String.format(
                            Locale.ROOT,
                            "%.2f x one-hop, %.2f x h3",
                            a.median() / one.median(),
                            a.median() / h3.median());
                case "forwarded" ->
                    String.format(
                            Locale.ROOT,
                            "%.2f x two-hop, %.2f x one-hop",
                            a.median() / report.arm("two-hop").median(),
                            a.median() / one.median());
                case "h3-caps", "h2-caps" ->
                    String.format(
                            Locale.ROOT,
                            "%.2f x two-hop",
                            a.median() / report.arm("two-hop").median());
                default -> "";
            };
            out.printf(
                    Locale.ROOT,
                    "  %-9s %9.1f  %-28s %d runs%s%n",
                    a.name(),
                    a.median(),
                    ratios,
                    a.warmupRuns(),
                    a.settled() ? "" : ", still rising");
        }
        out.printf(
                "%n  per hop, over the measured runs (CPU from thread counters; packets = QUIC packets the hop sent and received)%n");
        out.printf(
                "  %-9s %-9s %12s %10s %11s %12s%n",
                "arm", "hop", "CPU-s/64MiB", "us/packet", "packets/s", "syscalls/pkt");
        for (ArmResult a : report.arms()) {
            double per64 = (64.0 * (1 << 20)) / a.measuredBytes();
            for (Hop h : Hop.values()) {
                if (!a.cpuNanos().containsKey(h)) {
                    continue; // not a hop of this arm
                }
                long cpu = a.cpuNanos().get(h);
                long pk = a.packets().getOrDefault(h, 0L);
                String usPerPacket = pk > 0 ? String.format(Locale.ROOT, "%.1f", cpu / 1e3 / pk) : "-";
                String pps = pk > 0 ? String.format(Locale.ROOT, "%.0f", pk / (a.wallNanos() / 1e9)) : "-";
                String sys = a.syscalls().isPresent() && pk > 0
                        ? String.format(Locale.ROOT, "%.2f", a.syscalls().get().getOrDefault(h, 0L) / (double) pk)
                        : a.syscalls().isPresent() ? "-" : "n/a";
                out.printf(
                        Locale.ROOT,
                        "  %-9s %-9s %12.3f %10s %11s %12s%n",
                        a.name(),
                        h.label(),
                        cpu / 1e9 * per64,
                        usPerPacket,
                        pps,
                        sys);
            }
        }
        if (report.arms().stream().anyMatch(a -> a.syscalls().isEmpty())) {
            out.printf("  (syscalls: n/a without perf, or when the kernel refuses tracepoints)%n");
        }
        for (String name : List.of("two-hop", "forwarded")) {
            ArmResult two = report.arm(name);
            long relayCpu = two.cpuNanos().getOrDefault(Hop.INGRESS, 0L)
                    + two.cpuNanos().getOrDefault(Hop.EGRESS, 0L);
            out.printf(
                    Locale.ROOT,
                    "  %s relay CPU, both relays: %.3f CPU-s per 64 MiB%n",
                    name,
                    relayCpu / 1e9 * (64.0 * (1 << 20)) / two.measuredBytes());
        }
        out.printf("%n  drops over the measured runs%n");
        for (ArmResult a : report.arms()) {
            if (!a.drops().isEmpty()) {
                out.printf("  %-9s %s%n", a.name(), a.drops());
            }
        }
        out.printf(
                "%n  datagram RTT, %d x %d B, medians of runs (window 1 = ping-pong)%n",
                options.datagrams(), options.size());
        out.printf("  %-9s %6s %10s %10s %10s%n", "path", "window", "p50 us", "p99 us", "delivered");
        for (Rtt r : report.rtts()) {
            out.printf(
                    Locale.ROOT,
                    "  %-9s %6d %10.0f %10.0f %9.1f%%%n",
                    r.name(),
                    r.window(),
                    r.p50(),
                    r.p99(),
                    100 * r.delivered());
        }
        if (!report.scaling().isEmpty()) {
            out.printf(
                    "%n  two hops, N clients at once (each its own connection and event loop), relays on %d event"
                            + " loops each%n",
                    RELAY_THREADS);
            out.printf(
                    "  %7s %9s %8s %17s %15s  %s%n",
                    "clients", "MB/s", "x 1", "relay CPU-s/64MiB", "all CPU-s/64MiB", "ingress conns per socket");
            double single = report.scaling().get(0).mbps();
            for (Scale sc : report.scaling()) {
                out.printf(
                        Locale.ROOT,
                        "  %7d %9.1f %8.2f %17.3f %15.3f  %s%n",
                        sc.clients(),
                        sc.mbps(),
                        sc.mbps() / single,
                        sc.relayCpuPer64(),
                        sc.allCpuPer64(),
                        sc.ingressSockets());
            }
        }
    }
}
