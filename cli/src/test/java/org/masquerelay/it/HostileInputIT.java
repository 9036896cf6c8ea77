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

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * Hostile input against real relays (issue: access control and hostile traffic). A bare HTTP/3
 * peer sends malformed datagrams and capsules, hostile targets and headers; a flood of junk UDP
 * hits both relays; a peer stops reading. Each gets its specific error, and a legitimate client
 * keeps completing byte-exact transfers the whole time. Paranoid leak detection runs throughout.
 *
 * <p>The ingress also lists a UDP echo server as an "egress relay", so a raw tunnel has an echo
 * at its far end; the egress answers QUIC only from 127.0.0.1.
 */
class HostileInputIT {
    static final InetAddress LEGIT = LoopbackRelays.addr("127.0.0.8");
    static final InetAddress ATTACKER = LoopbackRelays.addr("127.0.0.9");
    static final InetAddress OUTSIDER = LoopbackRelays.addr("127.0.0.66");
    static final long H3_DATAGRAM_ERROR = 0x33; // RFC 9297 §5.2
    static final long H3_MESSAGE_ERROR = 0x10e; // RFC 9114 §8.1
    static final long H3_EXCESSIVE_LOAD = 0x107; // RFC 9114 §8.1

    @TempDir
    static Path dir;

    static HttpOrigin origin;
    static UdpEchoServer echo;
    static EgressServer egress;
    static IngressServer ingress;
    static MasqueClient legit;

    @BeforeAll
    static void start() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
        echo = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0));
        // Targets are dialled from 127.0.0.3: the egress refuses its own addresses as targets.
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of("127.0.0.3"));
        Path in = dir.resolve("ingress.yaml");
        Files.writeString(
                in,
                Files.readString(in)
                        .replace(
                                "egress-relays:\n",
                                "egress-relays:\n  - 127.0.0.1:"
                                        + echo.localAddress().getPort() + "\n")
                        .replace("  max-tunnels: 10000\n", "  max-tunnels: 10000\n  max-connections-per-address: 3\n"));
        Path eg = dir.resolve("egress.yaml");
        Files.writeString(
                eg, Files.readString(eg).replace("  - 127.0.0.0/8\n# Targets", "  - 127.0.0.1/32\n# Targets"));
        egress = EgressServer.start(EgressConfig.load(eg));
        ingress = IngressServer.start(IngressConfig.load(in));
        legit = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, LEGIT);
        legit.connect().get(20, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {legit, ingress, egress, echo, origin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static String echoPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + echo.localAddress().getPort() + "/";
    }

    static String ingressAuthority() {
        return "localhost:" + ingress.quicAddress().getPort();
    }

    /** A raw tunnel to the echo server through the ingress. */
    static RawH3Client.Request tunnel(RawH3Client raw) throws Exception {
        return tunnel(raw, ingressAuthority());
    }

    /** A raw tunnel to the echo server through the relay at {@code authority}. */
    static RawH3Client.Request tunnel(RawH3Client raw, String authority) throws Exception {
        RawH3Client.Request r = raw.request(RawH3Client.connectUdp(authority, echoPath()));
        assertThat(r.status()).isEqualTo(200);
        return r;
    }

    /** A legitimate transfer through both hops, checked byte for byte. */
    static double legitTransferMBps(long n) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HttpFetcher.Result r;
        try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            r = HttpFetcher.fetch(legit, origin.uri("/bytes/" + n), out, false).get(5, TimeUnit.MINUTES);
        }
        assertThat(r.bodyBytes()).isEqualTo(n);
        assertThat(sha.digest()).isEqualTo(HttpOrigin.patternSha256(n));
        return n / (r.nanos() / 1e9) / 1e6;
    }

    static byte[] varint(long v) {
        if (v < 64) {
            return new byte[] {(byte) v};
        }
        if (v < 16384) {
            return new byte[] {(byte) (0x40 | v >> 8), (byte) v};
        }
        ByteBuffer b = ByteBuffer.allocate(8).putLong(v | 0xC000_0000_0000_0000L);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void truncatedDatagramClosesOnlyThatConnectionWithH3DatagramError() throws Exception {
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), ATTACKER)) {
            tunnel(raw);
            raw.datagram(new byte[] {0x40}); // a two-byte varint cut after one byte
            QuicConnectionCloseEvent close = raw.closed.get(10, TimeUnit.SECONDS);
            assertThat(close.isApplicationClose()).isTrue();
            assertThat((long) close.error()).isEqualTo(H3_DATAGRAM_ERROR);
        }
        assertThat(ingress.metrics().drops("malformed")).isGreaterThanOrEqualTo(1);
        legitTransferMBps(1 << 20);
    }

    @Test
    void oversizedHeaderSectionClosesThatConnectionWithExcessiveLoad() throws Exception {
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), ATTACKER)) {
            Http3Headers h = RawH3Client.connectUdp(ingressAuthority(), echoPath());
            h.set("x-padding", "p".repeat(16 * 1024)); // twice SETTINGS_MAX_FIELD_SECTION_SIZE
            raw.request(h);
            QuicConnectionCloseEvent close = raw.closed.get(10, TimeUnit.SECONDS);
            assertThat((long) close.error()).isEqualTo(H3_EXCESSIVE_LOAD);
        }
        legitTransferMBps(1 << 20);
    }

    @Test
    void connectionsPerClientAddressAreLimitedAndCounted() throws Exception {
        InetAddress crowded = LoopbackRelays.addr("127.0.0.10");
        double before = ingress.metrics().refused("max_connections_per_address");
        List<RawH3Client> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(new RawH3Client(ingress.quicAddress(), crowded));
            }
            assertThatThrownBy(
                    () -> new RawH3Client(ingress.quicAddress(), crowded).close(),
                    "the fourth connection from one address");
            assertThat(ingress.metrics().refused("max_connections_per_address")).isEqualTo(before + 1);
            // Other addresses are unaffected, and the held connections still work.
            assertThat(tunnel(held.get(0)).status()).isEqualTo(200);
            legitTransferMBps(1 << 20);
        } finally {
            held.forEach(RawH3Client::close);
        }
        // Slots come back when connections close.
        LoopbackRelays.await(
                () -> {
                    try (RawH3Client again = new RawH3Client(ingress.quicAddress(), crowded, 5000)) {
                        return again.quic.isActive();
                    } catch (Exception e) {
                        return false;
                    }
                },
                "a connection after the others closed");
    }

    @Test
    void spoofedInitialsDoNotLockAnAddressOut() throws Exception {
        // A spoofer sends Initials with the victim's source address and never sees the answers.
        // Real Initials, each sent once from a port of its own that then closes, do exactly that.
        InetAddress victim = LoopbackRelays.addr("127.0.0.11");
        double retriesBefore = metric(ingress.scrapeMetrics(), "masque_ingress_address_validation_retries");
        for (byte[] initial : RawH3Client.initials(ingress.quicAddress(), 20)) {
            try (java.net.DatagramSocket spoofed = new java.net.DatagramSocket(new InetSocketAddress(victim, 0))) {
                spoofed.send(new java.net.DatagramPacket(initial, initial.length, ingress.quicAddress()));
            }
        }
        Thread.sleep(300); // let the relay take them all in
        // The victim itself is served: its address is validated by a Retry (RFC 9000 §8.1.2).
        try (RawH3Client victimClient = new RawH3Client(ingress.quicAddress(), victim, 10_000)) {
            assertThat(tunnel(victimClient).status()).isEqualTo(200);
        }
        // Every spoofed Initial after the first was answered with a Retry, which went nowhere.
        assertThat(metric(ingress.scrapeMetrics(), "masque_ingress_address_validation_retries") - retriesBefore)
                .isGreaterThanOrEqualTo(19);
    }

    private static double metric(String scrape, String name) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " not in /metrics");
    }

    @Test
    void datagramsForUnknownStreamsOrContextsAreDroppedAndCounted() throws Exception {
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), ATTACKER)) {
            RawH3Client.Request t = tunnel(raw);
            long q = t.stream.streamId() / 4;
            double unknownStream = ingress.metrics().drops("unknown_stream");
            double unknownContext = ingress.metrics().drops("unknown_context");
            long echoed = echo.received();
            raw.datagram(concat(varint(q + 100), varint(0), "to nobody".getBytes()));
            raw.datagram(concat(varint(q), varint(1), "unknown context".getBytes())); // RFC 9298 §4
            raw.datagram(concat(varint(q), varint(0), "ping".getBytes()));
            byte[] back = raw.datagrams.poll(10, TimeUnit.SECONDS);
            assertThat(back).isEqualTo(concat(varint(q), varint(0), "ping".getBytes()));
            assertThat(echo.received() - echoed).isEqualTo(1);
            assertThat(ingress.metrics().drops("unknown_stream")).isEqualTo(unknownStream + 1);
            assertThat(ingress.metrics().drops("unknown_context")).isEqualTo(unknownContext + 1);
            assertThat(raw.quic.isActive()).isTrue();
        }
    }

    @Test
    void malformedCapsuleResetsOnlyItsStreamWithH3MessageError() throws Exception {
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), ATTACKER)) {
            RawH3Client.Request bad = tunnel(raw);
            // A DATAGRAM capsule claiming 2^62-1 bytes: far over the capsule limit (RFC 9297 §3.2).
            bad.writeData(concat(varint(0), varint((1L << 62) - 1), new byte[16]));
            assertThat(bad.reset.get(10, TimeUnit.SECONDS)).isEqualTo(H3_MESSAGE_ERROR);
            // Same connection, new tunnel: still served, and a valid capsule on the stream works.
            RawH3Client.Request good = tunnel(raw);
            long q = good.stream.streamId() / 4;
            good.writeData(concat(varint(0), varint(1 + 5), varint(0), "hello".getBytes()));
            assertThat(raw.datagrams.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(concat(varint(q), varint(0), "hello".getBytes()));
            assertThat(raw.quic.isActive()).isTrue();
        }
    }

    @Test
    void upstreamDatagramTooLargeForTheClientIsDroppedAndCounted() throws Exception {
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), ATTACKER)) {
            RawH3Client.Request t = tunnel(raw);
            long q = t.stream.streamId() / 4;
            double before = ingress.metrics().drops("too_large");
            byte[] big = new byte[1500]; // fits a capsule, but its echo cannot fit one DATAGRAM frame
            t.writeData(concat(varint(0), varint(1 + big.length), varint(0), big));
            LoopbackRelays.await(() -> ingress.metrics().drops("too_large") == before + 1, "the too_large drop");
            raw.datagram(concat(varint(q), varint(0), "after".getBytes()));
            assertThat(raw.datagrams.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(concat(varint(q), varint(0), "after".getBytes()));
        }
    }

    @Test
    void hostileTargetsAndHeadersGetSpecificErrorsAndNeverAnEcho() throws Exception {
        String p = "/.well-known/masque/udp/";
        String[] paths = {
            p + "../../etc/passwd/1/",
            p + "%2e%2e/443/",
            p + "127.0.0.1%2F..%2F/443/",
            p + "fe80::1%25eth0/443/",
            p + "a".repeat(300) + "/443/",
            p + "127.0.0.1/99999/",
            p + "127.0.0.1/0/",
            p + "127.0.0.1/" + echo.localAddress().getPort() + "/extra/",
            "/not/the/template/",
        };
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), ATTACKER)) {
            for (String path : paths) {
                RawH3Client.Request r = raw.request(RawH3Client.connectUdp(ingressAuthority(), path));
                assertThat(r.status()).as(path).isIn(400, 403);
                assertThat(r.proxyStatus())
                        .as(path)
                        .startsWith("ingress; error=")
                        .doesNotContain("passwd")
                        .doesNotContain("eth0")
                        .doesNotContain("aaaa");
            }
            Http3Headers injected = new DefaultHttp3Headers(false)
                    .method("CONNECT")
                    .protocol("connect-udp")
                    .scheme("https")
                    .authority(ingressAuthority())
                    .path(echoPath());
            injected.set("capsule-protocol", "?1\r\nx-injected: 1");
            RawH3Client.Request r = raw.request(injected);
            // RFC 9114 §4.1.2: CR or LF in a field value makes the request malformed, a stream
            // error of type H3_MESSAGE_ERROR; no response is sent that could echo it.
            assertThat(r.reset.get(10, TimeUnit.SECONDS)).isEqualTo(H3_MESSAGE_ERROR);
            assertThat(r.response).as("no response").failsWithin(5, TimeUnit.SECONDS);

            Http3Headers noProtocol =
                    new DefaultHttp3Headers().method("CONNECT").authority("127.0.0.1:443");
            assertThat(raw.request(noProtocol).status()).isEqualTo(400); // plain CONNECT: the ingress only tunnels UDP
            assertThat(raw.quic.isActive()).isTrue();
        }
        legitTransferMBps(1 << 20);
    }

    /**
     * RFC 9114 §4.1.2: a request with CR, LF or NUL in a field value, or without a pseudo-header
     * it must carry (RFC 9114 §4.4: {@code :authority} for CONNECT; RFC 9220 §3: {@code :scheme},
     * {@code :path} and {@code :authority} for extended CONNECT), is malformed: its stream is reset
     * with H3_MESSAGE_ERROR, at both relays, and the connection stays up.
     */
    @Test
    void malformedRequestsAreResetWithH3MessageErrorAtBothRelays() throws Exception {
        for (InetSocketAddress relay : List.of(ingress.quicAddress(), egress.quicAddress())) {
            String authority = "localhost:" + relay.getPort();
            List<Http3Headers> malformed = new java.util.ArrayList<>();
            for (String value : List.of("?1\r\nx-injected: 1", "?1\nx", "?1\rx", "?1\0")) {
                Http3Headers h = new DefaultHttp3Headers(false);
                h.add(RawH3Client.connectUdp(authority, echoPath()));
                h.set("capsule-protocol", value);
                malformed.add(h);
            }
            Http3Headers nul = new DefaultHttp3Headers(false);
            nul.add(RawH3Client.connectUdp(authority, echoPath()));
            nul.set("x-any", "a\0b");
            malformed.add(nul);
            for (String missing : List.of(":authority", ":path", ":scheme")) {
                Http3Headers h = RawH3Client.connectUdp(authority, echoPath());
                h.remove(missing);
                malformed.add(h);
            }
            malformed.add(new DefaultHttp3Headers().method("CONNECT")); // plain CONNECT, no :authority
            try (RawH3Client raw = new RawH3Client(relay, LoopbackRelays.addr("127.0.0.1"))) {
                for (Http3Headers h : malformed) {
                    RawH3Client.Request r = raw.request(h);
                    assertThat(r.reset.get(10, TimeUnit.SECONDS))
                            .as("%s: %s", relay, h)
                            .isEqualTo(H3_MESSAGE_ERROR);
                    assertThat(r.response).as("no response").failsWithin(5, TimeUnit.SECONDS);
                }
                // Same connection: a well-formed request is still served.
                assertThat(tunnel(raw, authority).status()).isEqualTo(200);
                assertThat(raw.quic.isActive()).isTrue();
            }
        }
        legitTransferMBps(1 << 20);
    }

    /**
     * A flood of junk UDP (random bytes, and fake QUIC long headers) at both relays, at least
     * 10,000 packets per second each, during an 8 MiB transfer. Reports throughput with and
     * without the flood; asserts only that the transfer is byte-exact. (Test JVMs run paranoid leak
     * detection, so the absolute figures are far below the benchmark's.)
     */
    @Test
    void junkFloodDoesNotBreakAConcurrentTransfer() throws Exception {
        long n = 8L << 20;
        double quiet = legitTransferMBps(n);
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Thread flood = new Thread(
                () -> {
                    // 256 junk packets made up front, so the sender spends its time sending: random
                    // bytes, and every other one a fake QUIC v1 Initial long header.
                    SplittableRandom rnd = new SplittableRandom(7);
                    ByteBuffer[] junk = new ByteBuffer[256];
                    for (int i = 0; i < junk.length; i++) {
                        byte[] b = new byte[20 + rnd.nextInt(1380)];
                        rnd.nextBytes(b);
                        if (i % 2 == 0) {
                            b[0] = (byte) 0xC3;
                            b[1] = 0;
                            b[2] = 0;
                            b[3] = 0;
                            b[4] = 1;
                        }
                        junk[i] = ByteBuffer.wrap(b);
                    }
                    try (DatagramChannel fromInside = DatagramChannel.open();
                            DatagramChannel fromOutside = DatagramChannel.open()) {
                        fromInside.bind(
                                new InetSocketAddress(LoopbackRelays.addr("127.0.0.1"), 0)); // passes the egress filter
                        fromOutside.bind(new InetSocketAddress(OUTSIDER, 0));
                        InetSocketAddress[] targets = {ingress.quicAddress(), egress.quicAddress()};
                        long start = System.nanoTime();
                        long deadline = start + TimeUnit.SECONDS.toNanos(120); // bounded in time
                        while (flooding.get() && System.nanoTime() < deadline) {
                            // 22,000 packets per second in total: 11,000 at each relay, in 1 ms bursts.
                            long due = (System.nanoTime() - start) / 45_455;
                            for (long i = sent.get(); i < due; i = sent.incrementAndGet()) {
                                ByteBuffer b = junk[(int) (i & 255)];
                                b.rewind();
                                (i % 4 == 3 ? fromOutside : fromInside).send(b, targets[(int) (i % 2)]);
                            }
                            Thread.sleep(1);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                "junk-flood");
        flood.start();
        long t0 = System.nanoTime();
        double flooded;
        try {
            Thread.sleep(200);
            flooded = legitTransferMBps(n);
            Thread.sleep(Math.max(0, 2000 - (System.nanoTime() - t0) / 1_000_000)); // at least 2 s of flood
        } finally {
            flooding.set(false);
            flood.join(10_000);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double pps = sent.get() / seconds / 2;
        System.out.printf(
                "junk flood: %.0f packets/s at each relay; 8 MiB two-hop transfer %.1f MB/s quiet, "
                        + "%.1f MB/s under flood%n",
                pps, quiet, flooded);
        assertThat(pps).as("flood rate per relay").isGreaterThanOrEqualTo(10_000);
        assertThat(egress.scrapeMetrics()).containsPattern("masque_egress_unauthorized_packets_dropped [1-9]");
    }

    /**
     * A client that opens a download and never reads: QUIC flow control stops the egress, which
     * stops reading the origin; nothing grows without bound, and others are unaffected.
     */
    @Test
    void aPeerThatNeverReadsIsHeldByFlowControl() throws Exception {
        var stalled = legit.openTcp(
                        "127.0.0.1",
                        origin.localAddress().getPort(),
                        s -> s.config().setAutoRead(false))
                .get(20, TimeUnit.SECONDS);
        try {
            stalled.writeAndFlush(
                    new io.netty.handler.codec.http3.DefaultHttp3DataFrame(io.netty.buffer.Unpooled.copiedBuffer(
                            "GET /bytes/1073741824 HTTP/1.1\r\nHost: o\r\n\r\n",
                            java.nio.charset.StandardCharsets.US_ASCII)));
            Thread.sleep(2000);
            double a = downstreamBytes();
            Thread.sleep(2000);
            double b = downstreamBytes();
            System.out.printf(
                    "non-reading peer: egress relayed %.1f MiB, then %.0f bytes more in 2 s%n", a / (1 << 20), b - a);
            assertThat(b - a).as("no progress while the client does not read").isLessThan(256 * 1024);
            assertThat(b).as("bounded by the stream and connection windows").isLessThan(64.0 * (1 << 20));
            legitTransferMBps(4 << 20);
        } finally {
            stalled.close();
        }
    }

    private static double downstreamBytes() {
        String m = egress.scrapeMetrics();
        return Arrays.stream(m.split("\n"))
                .filter(l -> l.startsWith("masque_egress_bytes_total{") && l.contains("direction=\"downstream\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void egressAnswersNothingOutsideItsIngressPrefixes() throws Exception {
        String before = egress.scrapeMetrics();
        assertThatThrownBy(() -> new RawH3Client(egress.quicAddress(), OUTSIDER, 3000).close())
                .hasStackTraceContaining("timed out");
        assertThat(egress.scrapeMetrics())
                .isNotEqualTo(before)
                .containsPattern("masque_egress_unauthorized_packets_dropped [1-9]");
        // The same peer from an allowed address is answered.
        try (RawH3Client allowed = new RawH3Client(egress.quicAddress(), LoopbackRelays.addr("127.0.0.1"), 10_000)) {
            assertThat(allowed.quic.isActive()).isTrue();
        }
    }
}
