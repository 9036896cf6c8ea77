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
package org.masquerelay.cli.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.UdpEchoProbe;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.issuer.IssuerServer;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.pool.City;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.sim.Csv;
import org.masquerelay.sim.GeoRun;
import org.masquerelay.sim.LinkProfile;
import org.masquerelay.sim.NetScenario;
import org.masquerelay.sim.Scenario;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * {@code masque sim net}: the loopback deployment (issuer, ingress, egress, origins) with the
 * client's access link behind {@link UdpShim}; per profile, trial and client a direct arm (TCP
 * and UDP straight to the origins through the same impairment) and a two-hop arm, interleaved.
 * Every wait is bounded. Writes {@code flows.csv} and {@code summary.json}.
 */
public final class NetRun {
    static final String FLOWS = "flows.csv";

    static final String HEADER = "trial,profile,delay_ms,loss_pct,arm,client,flow,object_bytes,setup_ms,ttfb_ms,"
            + "ttlb_ms,goodput_mbps,rtt_p50_ms,rtt_p99_ms,loss,error";

    private NetRun() {}

    /** Runs the scenario's {@code net} section; returns true when no flow failed and the origins saw only pool addresses. */
    public static boolean run(Path scenarioFile, Scenario scenario, Path out) throws Exception {
        NetScenario net =
                scenario.net() == null ? new NetScenario(null, null, null, null, null, null, null) : scenario.net();
        Files.createDirectories(out);
        Path dir = Files.createTempDirectory("masque-sim-net");
        Csv flows = new Csv(HEADER);
        boolean ok = true;
        List<String> seen = new ArrayList<>();
        long seed = scenario.seedValue();
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        PoolRegistry pool = PoolRegistry.load(dir.resolve("pool.yaml"));
        try (HttpOrigin origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
                HttpOrigin directOrigin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
                UdpEchoServer echo = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0));
                UdpEchoServer directEcho = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0));
                IssuerServer issuer = IssuerServer.start(IssuerConfig.load(dir.resolve("issuer.yaml")));
                EgressServer egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
                IngressServer ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")))) {
            String clientYaml = Files.readString(dir.resolve("client.yaml"));
            // The first pass warms the JIT up on the first profile and is not recorded, so the
            // first profile measured does not carry the cold start.
            List<String> passes = new ArrayList<>();
            passes.add("");
            passes.addAll(net.profilesOrDefault());
            Csv scratch = new Csv(HEADER);
            for (String pass : passes) {
                boolean warmUp = pass.isEmpty();
                String name = warmUp ? net.profilesOrDefault().get(0) : pass;
                Csv into = warmUp ? scratch : flows;
                LinkProfile profile = net.allProfiles().get(name);
                LinkProfile.Hop hop = profile == null ? LinkProfile.Hop.NONE : profile.hop(0);
                current = hop;
                try (UdpShim access = new UdpShim(ingress.quicAddress(), hop, seed);
                        UdpShim directUdp = new UdpShim(directEcho.localAddress(), hop, seed + 7);
                        TcpShim directTcp = new TcpShim(directOrigin.localAddress(), hop, seed + 13)) {
                    Path config = dir.resolve("client-" + name + ".yaml");
                    Files.writeString(
                            config,
                            clientYaml.replace(
                                    "address: " + hostPort(ingress.quicAddress()),
                                    "address: " + hostPort(access.address())));
                    for (int t = 0; t < (warmUp ? 1 : net.trialsOrDefault()); t++) {
                        for (int c = 0; c < (warmUp ? 1 : net.clientsOrDefault()); c++) {
                            ok &= direct(into, net, t, name, c, directTcp.address(), directUdp.address()) | warmUp;
                            ok &= twoHop(into, net, t, name, c, config, origin, echo) | warmUp;
                        }
                    }
                }
            }
            for (InetSocketAddress peer : concat(origin.peers(), echo.peers())) {
                seen.add(peer.getAddress().getHostAddress());
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        boolean onlyPool = !seen.isEmpty() && seen.stream().allMatch(a -> inPool(pool, a));
        flows.write(out.resolve(FLOWS));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "net");
        summary.put("scenario", scenarioFile.getFileName().toString());
        summary.put("backend", net.backendOrDefault());
        summary.put("profiles", net.profilesOrDefault());
        summary.put("clients", net.clientsOrDefault());
        summary.put("trials", net.trialsOrDefault());
        summary.put("git_revision", GeoRun.gitRevision());
        summary.put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        summary.put("cores", Runtime.getRuntime().availableProcessors());
        summary.put("origin_saw_only_pool_addresses", onlyPool);
        summary.put("origin_source_addresses", seen.stream().distinct().sorted().toList());
        summary.put("flows_without_error", ok);
        summary.put(
                "t1_columns",
                List.of("profile", "metric", "direct median [IQR]", "two-hop median [IQR]", "difference"));
        summary.put("t1", org.masquerelay.sim.NetTables.t1(Csv.read(out.resolve(FLOWS))));
        GeoRun.writeJson(out.resolve("summary.json"), summary);
        return ok && onlyPool;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static boolean inPool(PoolRegistry pool, String address) {
        try {
            InetAddress a = InetAddress.getByName(address);
            for (City c : pool.cities()) {
                for (IpPrefix p : c.prefixes()) {
                    if (p.contains(a)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The two-hop arm: connect (outer handshake, connect-udp, inner handshake), objects, UDP RTT. */
    private static boolean twoHop(
            Csv flows,
            NetScenario net,
            int trial,
            String profile,
            int client,
            Path config,
            HttpOrigin origin,
            UdpEchoServer echo) {
        String arm = "two-hop";
        long t0 = System.nanoTime();
        try (MasqueClient c = new MasqueClient(ClientConfig.load(config), false, InetAddress.getLoopbackAddress())) {
            c.connect().get(30, TimeUnit.SECONDS);
            double setup = ms(System.nanoTime() - t0);
            row(
                    flows,
                    trial,
                    profile,
                    arm,
                    client,
                    "connect",
                    0,
                    setup,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    "");
            for (int size : net.objectsOrDefault()) {
                HttpFetcher.Result r = HttpFetcher.fetch(
                                c, origin.uri("/bytes/" + size), OutputStream.nullOutputStream(), false)
                        .get(120, TimeUnit.SECONDS);
                String error = r.status() == 200 && r.bodyBytes() == size
                        ? ""
                        : "status_" + r.status() + "_bytes_" + r.bodyBytes();
                objectRow(flows, trial, profile, arm, client, size, Double.NaN, r.nanos(), error);
                if (!error.isEmpty()) {
                    return false;
                }
            }
            UdpEchoProbe.Result rtt = UdpEchoProbe.run(
                    c, "127.0.0.1", echo.localAddress().getPort(), net.rttProbesOrDefault(), 64, 1, 2000);
            rttRow(flows, trial, profile, arm, client, rtt);
            return rtt.received() > 0;
        } catch (Exception e) {
            errorRow(flows, trial, profile, arm, client, e);
            return false;
        }
    }

    /**
     * The direct arm: HTTP/1.1 GETs through the TCP shim (time to first and last byte) and UDP
     * echo through the UDP shim. It has no setup row: the shim accepts the TCP connection on
     * loopback itself, so a connect time would not include the link's delay.
     */
    private static boolean direct(
            Csv flows,
            NetScenario net,
            int trial,
            String profile,
            int client,
            InetSocketAddress tcp,
            InetSocketAddress udp) {
        String arm = "direct";
        boolean ok = true;
        try {
            for (int size : net.objectsOrDefault()) {
                try (Socket s = new Socket(tcp.getAddress(), tcp.getPort())) {
                    s.setSoTimeout(60_000);
                    long sent = System.nanoTime();
                    s.getOutputStream()
                            .write(("GET /bytes/" + size + " HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    int b = in.read();
                    long first = System.nanoTime();
                    long total = 0;
                    byte[] buf = new byte[64 * 1024];
                    while (b >= 0 && !head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                        head.write(b);
                        b = in.read();
                    }
                    if (b >= 0) {
                        total = 1;
                    }
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        total += n;
                    }
                    long end = System.nanoTime();
                    String status = head.toString(StandardCharsets.US_ASCII);
                    String error = status.startsWith("HTTP/1.1 200") && total == size ? "" : "direct_bytes_" + total;
                    ok &= error.isEmpty();
                    objectRow(flows, trial, profile, arm, client, size, ms(first - sent), end - sent, error);
                }
            }
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                s.setSoTimeout(200);
                UdpEchoProbe.Windowed probe = new UdpEchoProbe.Windowed(net.rttProbesOrDefault(), 1, 2000) {
                    @Override
                    protected void send(long seq) throws IOException {
                        byte[] p = ByteBuffer.allocate(64).putLong(seq).array();
                        s.send(new DatagramPacket(p, p.length, udp));
                    }
                };
                Thread reader = new Thread(
                        () -> {
                            byte[] buf = new byte[2048];
                            while (!s.isClosed()) {
                                DatagramPacket p = new DatagramPacket(buf, buf.length);
                                try {
                                    s.receive(p);
                                    if (p.getLength() >= 8) {
                                        probe.echoed(ByteBuffer.wrap(buf, 0, 8).getLong());
                                    }
                                } catch (java.net.SocketTimeoutException e) {
                                    // poll again until closed
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "direct-echo");
                reader.setDaemon(true);
                reader.start();
                UdpEchoProbe.Result rtt = probe.run();
                rttRow(flows, trial, profile, arm, client, rtt);
                ok &= rtt.received() > 0;
            }
        } catch (Exception e) {
            errorRow(flows, trial, profile, arm, client, e);
            return false;
        }
        return ok;
    }

    private static void objectRow(
            Csv flows,
            int trial,
            String profile,
            String arm,
            int client,
            int size,
            double ttfbMs,
            long nanos,
            String error) {
        double nan = Double.NaN;
        row(
                flows,
                trial,
                profile,
                arm,
                client,
                "object",
                size,
                nan,
                ttfbMs,
                ms(nanos),
                size * 8.0 / (nanos / 1e9) / 1e6,
                nan,
                nan,
                nan,
                error);
    }

    private static void rttRow(Csv flows, int trial, String profile, String arm, int client, UdpEchoProbe.Result rtt) {
        double nan = Double.NaN;
        row(
                flows,
                trial,
                profile,
                arm,
                client,
                "udp-rtt",
                64,
                nan,
                nan,
                nan,
                nan,
                ms(rtt.p50Nanos()),
                ms(rtt.p99Nanos()),
                1 - rtt.deliveredRatio(),
                rtt.received() == 0 ? "no_echo" : "");
    }

    private static void errorRow(Csv flows, int trial, String profile, String arm, int client, Exception e) {
        double nan = Double.NaN;
        row(flows, trial, profile, arm, client, "error", 0, nan, nan, nan, nan, nan, nan, nan, token(e));
    }

    /** A short, comma-free error token: the Proxy-Status error if there is one, else the exception's class. */
    static String token(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof org.masquerelay.client.ProxyResponseException)) {
            t = t.getCause();
        }
        if (t instanceof org.masquerelay.client.ProxyResponseException p && p.proxyStatus() != null) {
            String ps = p.proxyStatus();
            int i = ps.indexOf("error=");
            return i < 0 ? "status_" + p.status() : ps.substring(i + 6).split("[;, ]")[0];
        }
        return t.getClass().getSimpleName();
    }

    /** The access link's delay and loss of the profile being run, for F1's x axis. */
    private static LinkProfile.Hop current = LinkProfile.Hop.NONE;

    private static void row(Csv flows, Object trial, String profile, Object... rest) {
        Object[] all = new Object[rest.length + 4];
        all[0] = trial;
        all[1] = profile;
        all[2] = current.delay();
        all[3] = current.loss() * 100;
        System.arraycopy(rest, 0, all, 4, rest.length);
        flows.row(all);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
