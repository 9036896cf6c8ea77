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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.TcpEchoServer;
import org.masquerelay.tools.origin.UdpEchoServer;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;
import tech.kwik.flupke.HttpStream;
import tech.kwik.flupke.impl.DataFrame;
import tech.kwik.flupke.impl.HeadersFrame;
import tech.kwik.flupke.impl.Http3ClientConnectionImpl;
import tech.kwik.flupke.impl.Http3Frame;

/**
 * Our relays against an independent QUIC and HTTP/3 stack from Maven Central: Kwik (QUIC, with
 * the datagram extension of RFC 9221) and Flupke (HTTP/3 and QPACK on Kwik). Nothing of ours runs
 * on the client side: the TLS handshake, the transport parameters, SETTINGS, QPACK and the frames
 * are all Kwik's and Flupke's.
 *
 * <p>What the foreign stack cannot do, and how each test works around it:
 *
 * <ul>
 *   <li>Flupke has no HTTP Datagrams (RFC 9297): no {@code SETTINGS_H3_DATAGRAM} of its own and
 *       no datagram API. The connect-udp test gives Flupke the setting through its public
 *       {@code addSettingsParameter}, sends the extended CONNECT with Flupke's public {@code
 *       sendExtendedConnect}, and carries the HTTP Datagrams as Kwik QUIC DATAGRAM frames on the
 *       same connection (quarter stream id and context id 0 framed here, RFC 9297 §2.1).
 *   <li>Flupke's public {@code sendConnect} waits for the response before it hands out the stream,
 *       so it cannot write data before the 2xx. The CONNECT test subclasses Flupke's client
 *       connection and writes Flupke's own HEADERS frame (its QPACK encoder) and DATA frame at
 *       once, then reads the response with Flupke's frame reader.
 *   <li>Neither Kwik nor Flupke has a connect-udp proxy, so our client through a foreign proxy is
 *       not covered.
 * </ul>
 */
class InteropIT {
    static final Duration STEP = Duration.ofSeconds(15);

    @TempDir
    static Path dir;

    static UdpEchoServer udpEcho;
    static TcpEchoServer tcpEcho;
    static EgressServer egress;
    static IngressServer ingress;
    static ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "interop-client");
            t.setDaemon(true);
            return t;
        });
        udpEcho = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0));
        tcpEcho = new TcpEchoServer(new InetSocketAddress("127.0.0.1", 0));
        // No tokens and no geo: the foreign client has neither.
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of("127.0.0.3"));
        Path in = dir.resolve("ingress.yaml");
        // The ingress lists the UDP echo as an "egress relay", so a tunnel through it has an echo
        // at its far end.
        Files.writeString(
                in,
                Files.readString(in)
                        .replace(
                                "egress-relays:\n",
                                "egress-relays:\n  - 127.0.0.1:"
                                        + udpEcho.localAddress().getPort() + "\n"));
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        ingress = IngressServer.start(IngressConfig.load(in));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {ingress, egress, tcpEcho, udpEcho}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /**
     * A Kwik client connection to {@code relay} that trusts the deployment's CA and checks the
     * name {@code localhost}, which both relays' certificates carry.
     */
    static QuicClientConnection kwik(InetSocketAddress relay) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream ca = Files.newInputStream(dir.resolve("ca.crt"))) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory pkix = TrustManagerFactory.getInstance("PKIX");
        pkix.init(trust);
        X509TrustManager ours = (X509TrustManager) pkix.getTrustManagers()[0];
        return QuicClientConnection.newBuilder()
                .uri(URI.create("//localhost:" + relay.getPort()))
                // Kwik sends to this address and keeps "localhost" for SNI and the name check.
                .proxy(relay.getAddress().getHostAddress())
                .applicationProtocol("h3")
                .connectTimeout(STEP)
                .maxIdleTimeout(Duration.ofSeconds(30))
                // RFC 9114 §6.2: the peer's control stream and its two QPACK streams.
                .maxOpenPeerInitiatedUnidirectionalStreams(10)
                .maxOpenPeerInitiatedBidirectionalStreams(0)
                .customTrustManager(new PkixAnyKeyType(ours))
                .enableDatagramExtension()
                .logger(new NullLogger())
                .build();
    }

    /**
     * Kwik's TLS (agent15 3.1) checks a custom trust manager's chain with the key exchange type
     * "RSA", which the JDK's end-entity check refuses for an ECDSA certificate such as ours; with
     * the JDK's default trust store it passes "UNKNOWN". This does the same for our CA: the full
     * PKIX path and validity check, no key exchange type.
     */
    record PkixAnyKeyType(X509TrustManager pkix) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, "UNKNOWN");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    /** A Flupke HTTP/3 connection over a Kwik connection, with access to Flupke's framing. */
    static final class FlupkeConnection extends Http3ClientConnectionImpl {
        final QuicConnection quic;

        FlupkeConnection(QuicConnection quic) {
            super(quic, pool);
            this.quic = quic;
        }

        /**
         * A CONNECT (RFC 9114 §4.4) whose first DATA frame follows the HEADERS at once, before any
         * response. Returns the stream; the response is read with {@link #readResponse}.
         */
        QuicStream connectWithEarlyData(String authority, byte[] early) throws IOException {
            QuicStream stream = quicConnection.createStream(true);
            OutputStream out = stream.getOutputStream();
            HttpHeaders none = HttpHeaders.of(Map.of(), (a, b) -> true);
            out.write(new HeadersFrame(none, Map.of(":method", "CONNECT", ":authority", authority))
                    .toBytes(qpackEncoder));
            new DataFrame(early).writeTo(out);
            out.flush();
            return stream;
        }

        /** The response's {@code :status}, from Flupke's frame reader. */
        String readStatus(QuicStream stream) throws Exception {
            Http3Frame first = readFrame(stream.getInputStream());
            assertThat(first).as("the response HEADERS frame").isInstanceOf(HeadersFrame.class);
            return ((HeadersFrame) first).getPseudoHeader(":status");
        }

        /** The payload of the DATA frames that follow, until {@code n} bytes or the end of stream. */
        byte[] readData(QuicStream stream, int n) throws Exception {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (got.size() < n) {
                Http3Frame f = readFrame(stream.getInputStream());
                if (f == null) {
                    break;
                }
                if (f instanceof DataFrame d) {
                    got.write(d.getPayload());
                }
            }
            return got.toByteArray();
        }
    }

    /** Runs {@code step}, failing the test with {@code what} if it takes longer than {@code d}. */
    static <T> T within(Duration d, String what, Callable<T> step) throws Exception {
        Future<T> f = pool.submit(step);
        try {
            return f.get(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": nothing within " + d.toSeconds() + " s", e);
        } finally {
            f.cancel(true);
        }
    }

    static byte[] varint(long v) {
        if (v < 0x40) {
            return new byte[] {(byte) v};
        }
        if (v < 0x4000) {
            return new byte[] {(byte) (0x40 | (v >> 8)), (byte) v};
        }
        if (v < 0x4000_0000L) {
            return new byte[] {(byte) (0x80 | (v >> 24)), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
        }
        throw new IllegalArgumentException("stream id too large for this test: " + v);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void flupkeConnectUdpThroughOurIngressGetsEveryDatagramBackByteExact() throws Exception {
        datagramEchoThroughTheIngress(true);
    }

    /** As h2o-httpclient sends it: RFC 9297 §3.4 reads a missing capsule-protocol as ?0. */
    @Test
    void flupkeConnectUdpWithoutCapsuleProtocolIsServedWithDatagrams() throws Exception {
        datagramEchoThroughTheIngress(false);
    }

    private static void datagramEchoThroughTheIngress(boolean capsuleProtocol) throws Exception {
        QuicClientConnection quic = kwik(ingress.quicAddress());
        BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        quic.setDatagramHandler(received::add);
        FlupkeConnection h3 = new FlupkeConnection(quic);
        // RFC 9297 §2.1.1: SETTINGS_H3_DATAGRAM; Flupke has no such setting of its own.
        h3.addSettingsParameter(0x33, 1);
        try {
            within(STEP, "Flupke's QUIC handshake and SETTINGS", () -> {
                h3.connect();
                return null;
            });
            assertThat(quic.isDatagramExtensionEnabled())
                    .as("our ingress offers QUIC datagrams (max_datagram_frame_size) to Kwik")
                    .isTrue();
            assertThat(h3.getPeerSettingsParameter(0x33))
                    .as("our ingress sends SETTINGS_H3_DATAGRAM=1")
                    .contains(1L);
            URI target = URI.create(
                    "https://localhost:" + ingress.quicAddress().getPort() + "/.well-known/masque/udp/127.0.0.1/"
                            + udpEcho.localAddress().getPort() + "/");
            HttpRequest.Builder b = HttpRequest.newBuilder(target);
            if (capsuleProtocol) {
                b.header("capsule-protocol", "?1");
            }
            HttpRequest request = b.build();
            // Flupke checks SETTINGS_ENABLE_CONNECT_PROTOCOL and throws without it; a non-2xx
            // throws an HttpError with the status.
            HttpStream tunnel = within(
                    STEP,
                    "the 2xx to the extended CONNECT",
                    () -> h3.sendExtendedConnect(request, "connect-udp", "https", STEP));
            byte[] prefix = concat(varint(tunnel.getStreamId() / 4), varint(0));
            for (int size : new int[] {1, 100, 1200}) {
                byte[] payload = new byte[size];
                HttpOrigin.pattern(size, payload);
                byte[] datagram = concat(prefix, payload);
                quic.sendDatagram(datagram);
                byte[] back = received.poll(STEP.toSeconds(), TimeUnit.SECONDS);
                assertThat(back)
                        .as("the echo of a %d-byte UDP payload, as an HTTP Datagram on the tunnel's stream", size)
                        .isNotNull();
                assertThat(Arrays.copyOfRange(back, 0, prefix.length))
                        .as("quarter stream id and context id 0")
                        .isEqualTo(prefix);
                assertThat(Arrays.copyOfRange(back, prefix.length, back.length))
                        .as("the %d-byte UDP payload, byte-exact", size)
                        .isEqualTo(payload);
            }
            tunnel.getOutputStream().close();
        } finally {
            quic.close();
        }
    }

    @Test
    void flupkeConnectToOurEgressWithDataBeforeThe2xxIsEchoedByteExact() throws Exception {
        QuicClientConnection quic = kwik(egress.quicAddress());
        FlupkeConnection h3 = new FlupkeConnection(quic);
        try {
            within(STEP, "Flupke's QUIC handshake and SETTINGS", () -> {
                h3.connect();
                return null;
            });
            byte[] payload = new byte[100_000];
            HttpOrigin.pattern(3, payload);
            InetSocketAddress target = tcpEcho.localAddress();
            // Kwik's write returns once its stream buffer takes the data. One full verify run in
            // thirteen saw it take longer than 15 s (never in isolation, also not under CPU
            // stress), so this step alone gets a minute; the echo must still be byte-exact.
            QuicStream stream = within(
                    Duration.ofSeconds(60),
                    "writing HEADERS and DATA",
                    () -> h3.connectWithEarlyData("127.0.0.1:" + target.getPort(), payload));
            assertThat(within(STEP, "the response HEADERS", () -> h3.readStatus(stream)))
                    .as("the egress's answer to Flupke's CONNECT")
                    .isEqualTo("200");
            byte[] back = within(
                    Duration.ofSeconds(30),
                    "the echo of the data sent before the 2xx",
                    () -> h3.readData(stream, payload.length));
            assertThat(back.length)
                    .as("bytes echoed of those written before the 2xx")
                    .isEqualTo(payload.length);
            assertThat(back).as("the echo, byte-exact").isEqualTo(payload);
            stream.getOutputStream().close();
        } finally {
            quic.close();
        }
    }
}
