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
package org.masquerelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.masquerelay.it.LoopbackRelays.CLIENT;
import static org.masquerelay.it.LoopbackRelays.EGRESS_SOURCE;
import static org.masquerelay.it.LoopbackRelays.TARGET;
import static org.masquerelay.it.LoopbackRelays.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HopConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.LocalForwarder;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.ProxyResponseException;
import org.masquerelay.client.UdpEchoProbe;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.TcpEchoServer;
import org.masquerelay.tools.origin.UdpEchoServer;
import org.slf4j.LoggerFactory;

/**
 * The relay pair end to end on loopback, with real sockets, the files {@code masque init}
 * writes, and origins that record what they saw. The client sits on 127.0.0.5, the egress dials
 * from 127.0.0.77 and the targets listen on 127.0.0.99, so every assertion about who saw which
 * address is unambiguous.
 */
class TwoHopIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static Path dir;

    static ListAppender<ILoggingEvent> logs = new ListAppender<>();
    static HttpOrigin origin;
    static TcpEchoServer tcpEcho;
    static UdpEchoServer udpEcho;
    static EgressServer egress;
    static IngressServer ingress;
    static MasqueClient client;

    @BeforeAll
    static void start() throws Exception {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger relayLogger = lc.getLogger("org.masquerelay");
        relayLogger.setLevel(Level.DEBUG);
        logs.setContext(lc);
        logs.start();
        relayLogger.addAppender(logs);

        dir = relays.dir();
        origin = relays.origin();
        egress = relays.egress();
        ingress = relays.ingress();
        tcpEcho = new TcpEchoServer(new InetSocketAddress(TARGET, 0));
        udpEcho = new UdpEchoServer(new InetSocketAddress(TARGET, 0));
        client = relays.newClient();
        client.connect().get(20, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {client, tcpEcho, udpEcho}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        ((LoggerContext) LoggerFactory.getILoggerFactory())
                .getLogger("org.masquerelay")
                .detachAppender(logs);
    }

    @Test
    void httpGetOf32MiBMatchesSha256AndOriginSeesEgressSource() throws Exception {
        long n = 32L << 20;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            HttpFetcher.Result r = HttpFetcher.fetch(client, origin.uri("/bytes/" + n), out, false)
                    .get(120, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyBytes()).isEqualTo(n);
        }
        assertThat(sha.digest()).isEqualTo(HttpOrigin.patternSha256(n));
        assertThat(origin.peers()).isNotEmpty();
        assertThat(origin.peers()).allSatisfy(p -> assertThat(p.getAddress()).isEqualTo(EGRESS_SOURCE));
    }

    @Test
    void tcpEchoOf16MiBEachWayIsByteExact() throws Exception {
        try (LocalForwarder fwd = new LocalForwarder(
                        client,
                        new InetSocketAddress(CLIENT, 0),
                        TARGET.getHostAddress(),
                        tcpEcho.localAddress().getPort());
                Socket s = new Socket()) {
            s.connect(fwd.localAddress(), 5000);
            s.setSoTimeout(60_000);
            int n = 16 << 20;
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            ExecutorService writer = Executors.newSingleThreadExecutor();
            Future<?> w = writer.submit(() -> {
                byte[] buf = new byte[64 * 1024];
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < n; off += buf.length) {
                    ThreadLocalRandom.current().nextBytes(buf);
                    sent.update(buf);
                    out.write(buf);
                }
                s.shutdownOutput(); // half-close: the echo must still come back in full
                return null;
            });
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int r;
            while ((r = in.read(buf)) > 0) {
                got.update(buf, 0, r);
                total += r;
            }
            w.get(60, TimeUnit.SECONDS);
            writer.shutdown();
            assertThat(total).isEqualTo(n);
            assertThat(got.digest()).isEqualTo(sent.digest());
        }
        // Client and target both closed: every hop tore the flow down.
        await(() -> tcpEcho.openConnections() == 0, "echo server connections");
        await(() -> egress.metrics().tunnels() == 0, "egress flows");
    }

    @Test
    void twoHundredConcurrentTcpFlowsShareOneConnection() throws Exception {
        int reconnectsBefore = client.reconnects();
        try (LocalForwarder fwd = new LocalForwarder(
                client,
                new InetSocketAddress(CLIENT, 0),
                TARGET.getHostAddress(),
                tcpEcho.localAddress().getPort())) {
            ExecutorService pool = Executors.newFixedThreadPool(50);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(fwd.localAddress(), 10_000);
                        s.setSoTimeout(60_000);
                        byte[] msg = new byte[8192];
                        ThreadLocalRandom.current().nextBytes(msg);
                        s.getOutputStream().write(msg);
                        s.shutdownOutput();
                        byte[] back = s.getInputStream().readAllBytes();
                        return java.util.Arrays.equals(msg, back);
                    }
                }));
            }
            int ok = 0;
            for (Future<Boolean> f : results) {
                if (f.get(120, TimeUnit.SECONDS)) {
                    ok++;
                }
            }
            pool.shutdown();
            assertThat(ok).isEqualTo(200);
            assertThat(fwd.failed()).isZero();
        }
        assertThat(client.reconnects()).isEqualTo(reconnectsBefore);
        await(() -> egress.metrics().tunnels() == 0, "egress flows");
        await(() -> tcpEcho.openConnections() == 0, "echo server connections");
    }

    @Test
    void clientsSpreadOverEveryRelaySocketAndEachGetsItsBytes() throws Exception {
        // 16 clients from 16 source ports: with 2 sockets, all landing on one has odds 2^-15.
        List<MasqueClient> clients = new ArrayList<>();
        try {
            List<CompletableFuture<HttpFetcher.Result>> fetches = new ArrayList<>();
            List<ByteCounter> bodies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                MasqueClient c = relays.newClient();
                clients.add(c);
                ByteCounter body = new ByteCounter();
                bodies.add(body);
                fetches.add(HttpFetcher.fetch(c, origin.uri("/bytes/100000"), body, false));
            }
            for (int i = 0; i < fetches.size(); i++) {
                assertThat(fetches.get(i).get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
                assertThat(bodies.get(i).n).isEqualTo(100_000);
            }
            List<Integer> perSocket = ingress.connectionsPerSocket();
            assertThat(perSocket).hasSize(LoopbackRelays.RELAY_THREADS);
            assertThat(perSocket).allSatisfy(n -> assertThat(n).isPositive());
            assertThat(perSocket.stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(16);
            // Each tunnel reaches the egress from its own ingress socket, so the egress spreads too.
            assertThat(egress.connectionsPerSocket())
                    .allSatisfy(n -> assertThat(n).isPositive());
        } finally {
            for (MasqueClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void udpEchoOf1000DatagramsDeliversAtLeast99Percent() throws Exception {
        UdpEchoProbe.Result r = UdpEchoProbe.run(
                client, TARGET.getHostAddress(), udpEcho.localAddress().getPort(), 1000, 1200, 32, 3000);
        assertThat(r.deliveredRatio()).isGreaterThanOrEqualTo(0.99);
        assertThat(udpEcho.peers()).allSatisfy(p -> assertThat(p.getAddress()).isEqualTo(EGRESS_SOURCE));
        await(() -> egress.metrics().tunnels() == 0, "egress udp flows after the client closed");
    }

    @Test
    void targetClosingFirstTearsDownEveryHop() throws Exception {
        // The origin closes after its response (Connection: close); the client never closes first.
        ByteCounter body = new ByteCounter();
        HttpFetcher.fetch(client, origin.uri("/bytes/1000"), body, false).get(30, TimeUnit.SECONDS);
        assertThat(body.n).isEqualTo(1000);
        await(() -> egress.metrics().tunnels() == 0, "egress flows");
        assertThat(ingress.metrics().tunnels()).isEqualTo(1); // the one tunnel of the shared inner connection
    }

    @Test
    void clientClosingFirstTearsDownEveryHop() throws Exception {
        try (LocalForwarder fwd = new LocalForwarder(
                client,
                new InetSocketAddress(CLIENT, 0),
                TARGET.getHostAddress(),
                tcpEcho.localAddress().getPort())) {
            Socket s = new Socket();
            s.connect(fwd.localAddress(), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(new byte[1000]);
            assertThat(s.getInputStream().readNBytes(1000)).hasSize(1000);
            await(() -> tcpEcho.openConnections() == 1, "the echo connection");
            s.close(); // abrupt: no half-close, the flow is abandoned mid-way
            await(() -> fwd.active() == 0, "local connections");
        }
        await(() -> egress.metrics().tunnels() == 0, "egress flows");
        await(() -> tcpEcho.openConnections() == 0, "echo server connections");
    }

    @Test
    void ingressRefusesConnectUdpToAnythingButAConfiguredEgress() throws Exception {
        ClientConfig good = ClientConfig.load(dir.resolve("client.yaml"));
        ClientConfig bad = new ClientConfig(
                good.ingress(),
                new HopConfig(
                        TARGET.getHostAddress() + ":" + udpEcho.localAddress().getPort(), "egress.localhost", null),
                good.caFile(),
                null,
                null,
                null,
                null);
        try (MasqueClient c = new MasqueClient(bad, false, CLIENT)) {
            assertThatThrownBy(() -> c.connect().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(ProxyResponseException.class, e -> {
                        assertThat(e.hop()).isEqualTo("ingress");
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.proxyStatus()).startsWith("ingress").contains("error=http_request_denied");
                    });
        }
        assertThat(udpEcho.received()).isZero();
    }

    @Test
    void egressRefusesPrivateDestinationNotAllowListed() throws Exception {
        CompletableFuture<?> f = client.openTcp("10.1.2.3", 80, s -> {});
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(ProxyResponseException.class, e -> {
                    assertThat(e.hop()).isEqualTo("egress");
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.proxyStatus()).startsWith("egress; error=destination_ip_prohibited; details=");
                });
        CompletableFuture<?> v6 = client.openTcp("::ffff:192.168.1.1", 80, s -> {});
        assertThatThrownBy(() -> v6.get(20, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        ProxyResponseException.class,
                        e -> assertThat(e.proxyStatus()).contains("destination_ip_prohibited"));
    }

    @Test
    void ingressLogsAndMetricsNeverNameTheTargetAndEgressNeverTheClient() throws Exception {
        ByteCounter body = new ByteCounter();
        HttpFetcher.fetch(client, origin.uri("/bytes/4096"), body, false).get(30, TimeUnit.SECONDS);
        assertThat(body.n).isEqualTo(4096);
        // docs/quic-forwarding.md: forwarding is the default, so these checks hold for it.
        assertThat(client.forwardedPackets(false))
                .as("packets the ingress forwarded")
                .isPositive();
        String targetIp = TARGET.getHostAddress();
        String targetPort = Integer.toString(origin.localAddress().getPort());
        String clientIp = CLIENT.getHostAddress();
        List<String> ingressLines = new ArrayList<>();
        List<String> egressLines = new ArrayList<>();
        // The access log (one line per tunnel, written when it ends) belongs to the same checks.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (accessLines("ingress ").isEmpty() || accessLines("egress ").isEmpty()) {
            assertThat(System.nanoTime() - deadline)
                    .as("an access line from each relay")
                    .isNegative();
            Thread.sleep(50);
        }
        ingressLines.addAll(accessLines("ingress "));
        egressLines.addAll(accessLines("egress "));
        assertThat(ingressLines.get(0))
                .matches("org\\.masquerelay\\.access ingress \\S+ status=\\d{3} error=\\S+ ms=\\d+");
        for (ILoggingEvent e : List.copyOf(logs.list)) {
            String line = e.getLoggerName() + " " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : " " + e.getThrowableProxy().getMessage());
            if (e.getLoggerName().startsWith("org.masquerelay.ingress")) {
                ingressLines.add(line);
            } else if (e.getLoggerName().startsWith("org.masquerelay.egress")) {
                egressLines.add(line);
            }
        }
        assertThat(ingressLines).as("DEBUG logging must actually be on").isNotEmpty();
        assertThat(egressLines).isNotEmpty();
        assertThat(ingressLines).noneMatch(l -> l.contains(targetIp) || l.contains(":" + targetPort));
        // Names and labels only: a value (heap bytes, say) may hold the port's digits by chance.
        assertThat(metricNamesAndLabels(ingress.scrapeMetrics()))
                .doesNotContain(targetIp)
                .doesNotContain(targetPort);
        assertThat(egressLines).noneMatch(l -> l.contains(clientIp));
        assertThat(metricNamesAndLabels(egress.scrapeMetrics())).doesNotContain(clientIp);
        assertThat(egress.scrapeMetrics()).doesNotContain(clientIp);
        assertThat(ingress.scrapeMetrics()).doesNotContain(targetIp);
    }

    /** Every sample line of a Prometheus text exposition without its value, and every help line. */
    static String metricNamesAndLabels(String scrape) {
        StringBuilder b = new StringBuilder();
        for (String line : scrape.split("\n")) {
            int space = line.lastIndexOf(' ');
            b.append(line.startsWith("#") || space < 0 ? line : line.substring(0, space))
                    .append('\n');
        }
        return b.toString();
    }

    /** The access log's lines whose relay (its proxy name, first) is {@code prefix}. */
    private static List<String> accessLines(String prefix) {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(logs.list)) {
            if (e.getLoggerName().equals("org.masquerelay.access")
                    && e.getFormattedMessage().startsWith(prefix)) {
                lines.add(e.getLoggerName() + " " + e.getFormattedMessage());
            }
        }
        return lines;
    }

    static final class ByteCounter extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }
}
