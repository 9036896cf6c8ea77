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

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.ingress.config.LimitsConfig;
import org.masquerelay.tools.bench.IdleTunnels;
import org.masquerelay.tools.bench.InitialFlood;
import org.masquerelay.tools.bench.QuicInitials;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * A flood of real QUIC Initials from spoofed addresses at the ingress (issue: address validation
 * and a bounded handshake budget, docs/architecture.md §7). Each forged Initial carries a real
 * ClientHello under a fresh connection id, so without a defence each one is a new connection
 * whose TLS handshake the ingress pays for, and whose state it keeps until the handshake times
 * out. The senders are bound to 1,024 addresses of 127.77.0.0/16 that no client uses. Both relays
 * run as processes of their own, so the flood's sender shares the machine but not the JVM.
 */
class InitialFloodIT {
    /** Spoofed Initials per second, as the acceptance bar asks. */
    private static final int RATE = 10_000;

    private static final int SPOOFED_ADDRESSES = 1024;

    private static Path dir;
    private static LoopbackDeployment.Ports ports;
    private static HttpOrigin origin;
    private static IdleTunnels.Child egress;
    private static IdleTunnels.Child ingress;

    /**
     * The relays run in JVMs of their own, as in production (one event loop each, no leak
     * detection); the flood, the clients and the origin run in this one.
     */
    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("masque-flood-it");
        ports = LoopbackDeployment.Ports.free();
        LoopbackDeployment.write(dir, ports, List.of("127.0.0.3"));
        origin = new HttpOrigin(new InetSocketAddress(LoopbackRelays.TARGET, 0));
        egress = IdleTunnels.Child.start(dir, "egress", ports.egress());
        ingress = IdleTunnels.Child.start(dir, "ingress", ports.ingress());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {ingress, egress, origin}) {
            if (c != null) {
                c.close();
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static MasqueClient newClient() throws Exception {
        return new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, LoopbackRelays.CLIENT);
    }

    /** RFC 9001 Appendix A.1: the client Initial keys for connection id 0x8394c8f03e515708. */
    @Test
    void initialKeysMatchTheRfcTestVector() throws Exception {
        byte[][] k = QuicInitials.Keys.client(HexFormat.of().parseHex("8394c8f03e515708"))
                .material();
        assertThat(HexFormat.of().formatHex(k[0])).isEqualTo("1f369613dd76d5467730efcbe3b1a22d");
        assertThat(HexFormat.of().formatHex(k[1])).isEqualTo("fa044b2f42a3fd3b46fb255c");
        assertThat(HexFormat.of().formatHex(k[2])).isEqualTo("9f50449e04a0e810283a1e9933adedd2");
    }

    @Test
    void forgedInitialsCarryTheCapturedClientHelloUnderNewConnectionIds() throws Exception {
        QuicInitials initials = QuicInitials.capture();
        byte[] a = initials.forge(new SplittableRandom(1));
        byte[] b = initials.forge(new SplittableRandom(2));
        assertThat(a.length).as("an Initial is padded to at least 1200 bytes").isGreaterThanOrEqualTo(1200);
        assertThat(Arrays.equals(a, b)).isFalse();
        assertThat(QuicInitials.parse(a).frames()).isEqualTo(initials.frames());
        assertThat(QuicInitials.parse(b).frames()).isEqualTo(initials.frames());
        assertThat(initials.frames()[0]).as("a CRYPTO frame first").isEqualTo((byte) 0x06);
    }

    /**
     * 10,000 forged Initials a second from 1,024 spoofed addresses, during which an established
     * client downloads 16 MiB three times and a new client connects and fetches.
     *
     * <ul>
     *   <li>No one is locked out: the new client is served, within 2 s.
     *   <li>The handshake budget holds: at most {@code limits.handshakes-per-second} a second (and
     *       one second's burst) of the forged Initials became connections; every other one got a
     *       Retry, which a spoofer never answers.
     *   <li>The established transfer stays byte-exact. Its throughput against the quiet one, from
     *       the same run, is printed, not asserted: the flood's sender shares this machine's cores
     *       with the relays, so the ratio is a benchmark figure (docs/performance.md), not a test.
     * </ul>
     */
    @Test
    void spoofedInitialFloodLocksNoOneOutAndStaysWithinTheHandshakeBudget() throws Exception {
        long n = 16L << 20;
        try (MasqueClient established = newClient();
                InitialFlood flood = new InitialFlood(
                        new InetSocketAddress("127.0.0.1", ports.ingress()), RATE, SPOOFED_ADDRESSES, 4 * RATE, 42)) {
            transferMBps(established, 1 << 20); // warm: sessions up, JIT past the cold path
            double quiet =
                    median(transferMBps(established, n), transferMBps(established, n), transferMBps(established, n));
            double quietNewClient = newClientSeconds();

            long retriesBefore = counter("masque_ingress_address_validation_retries");
            long budgetBefore = counter("masque_ingress_handshake_budget_retries");
            long acceptedBefore = counter("masque_ingress_connections_accepted_total");
            flood.start();
            long t0 = System.nanoTime();
            double flooded;
            double floodNewClient;
            try {
                Thread.sleep(1000); // the flood at full rate before anything is measured
                floodNewClient = newClientSecondsOrInfinity();
                flooded = median(
                        transferMBps(established, n), transferMBps(established, n), transferMBps(established, n));
            } finally {
                flood.stop();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(500); // the last forged Initials reach the relay
            double rate = flood.achievedRate();
            long retried = counter("masque_ingress_address_validation_retries") - retriesBefore;
            long overBudget = counter("masque_ingress_handshake_budget_retries") - budgetBefore;
            // The new client's two connections are among them.
            long admitted = counter("masque_ingress_connections_accepted_total") - acceptedBefore;
            System.out.printf(
                    "initial flood: %.0f spoofed Initials/s from %d addresses for %.1f s: %d Retry (%d over the"
                            + " handshake budget), %d admitted without one; 16 MiB two-hop transfer %.1f MB/s quiet,"
                            + " %.1f MB/s under flood (%.2f); a new client's first fetch %.0f ms quiet, %.0f ms under"
                            + " flood%n",
                    rate,
                    SPOOFED_ADDRESSES,
                    seconds,
                    retried,
                    overBudget,
                    admitted,
                    quiet,
                    flooded,
                    flooded / quiet,
                    quietNewClient * 1e3,
                    floodNewClient * 1e3);
            assertThat(rate).as("flood rate").isGreaterThanOrEqualTo(RATE * 0.9);
            assertThat(floodNewClient)
                    .as("a new client's first fetch under the flood, in seconds")
                    .isLessThan(2.0);
            int budget = LimitsConfig.DEFAULT_HANDSHAKES_PER_SECOND;
            assertThat(admitted)
                    .as(
                            "forged Initials that became connections: at most the budget of %d/s, plus its burst and a second for the socket queue",
                            budget)
                    .isLessThanOrEqualTo((long) (budget * (seconds + 2)));
            assertThat(overBudget).as("Retry sent because the budget was spent").isPositive();
        }
    }

    /** As {@link #newClientSeconds}, or infinity if the client fails (locked out). */
    private static double newClientSecondsOrInfinity() {
        try {
            return newClientSeconds();
        } catch (Exception e) {
            System.out.println("initial flood: a new client failed: " + e);
            return Double.POSITIVE_INFINITY;
        }
    }

    /** A new client (new QUIC connections to both hops, a token) and its first fetch. */
    private static double newClientSeconds() throws Exception {
        long t = System.nanoTime();
        try (MasqueClient fresh = newClient()) {
            transferMBps(fresh, 1000);
        }
        return (System.nanoTime() - t) / 1e9;
    }

    private static double transferMBps(MasqueClient client, long n) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HttpFetcher.Result r;
        try (DigestOutputStream out = new DigestOutputStream(java.io.OutputStream.nullOutputStream(), sha)) {
            r = HttpFetcher.fetch(client, origin.uri("/bytes/" + n), out, false).get(2, TimeUnit.MINUTES);
        }
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(n);
        assertThat(sha.digest()).isEqualTo(HttpOrigin.patternSha256(n));
        return n / (r.nanos() / 1e9) / 1e6;
    }

    private static double median(double a, double b, double c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    private static long counter(String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.ingressAdmin() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)").matcher(r.body());
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
