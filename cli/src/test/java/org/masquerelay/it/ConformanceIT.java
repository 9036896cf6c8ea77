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

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * What independent MASQUE peers do and our relays must take (issue 12): a CONNECT client that
 * writes its first bytes right after the request HEADERS, before the 2xx, as h2o-httpclient
 * does (RFC 9114 §4.4), and a connect-udp client that sends no {@code capsule-protocol} (RFC 9297
 * §3.4). Real relays, a real TCP origin and a real UDP echo; a bare HTTP/3 peer plays the client.
 * Paranoid leak detection runs throughout.
 */
class ConformanceIT {
    static final InetAddress PEER = LoopbackRelays.addr("127.0.0.1"); // the egress answers only 127.0.0.0/8

    @TempDir
    static Path dir;

    static HttpOrigin origin;
    static UdpEchoServer echo;
    static EgressServer egress;
    static IngressServer ingress;

    @BeforeAll
    static void start() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
        echo = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0));
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
                                        + echo.localAddress().getPort() + "\n"));
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        ingress = IngressServer.start(IngressConfig.load(in));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {ingress, egress, echo, origin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static Http3Headers connectTcp(InetSocketAddress target) {
        return new DefaultHttp3Headers()
                .method("CONNECT")
                .authority(target.getAddress().getHostAddress() + ":" + target.getPort());
    }

    static String echoPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + echo.localAddress().getPort() + "/";
    }

    /** The body of an HTTP/1.1 response: what follows the blank line after the header section. */
    static byte[] httpBody(byte[] response) {
        String head = new String(response, StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n\r\n");
        assertThat(end).as("an HTTP/1.1 response header section").isPositive();
        assertThat(head).startsWith("HTTP/1.1 200");
        return Arrays.copyOfRange(response, end + 4, response.length);
    }

    @Test
    void connectDataSentBeforeThe2xxReachesTheOriginAndTheAnswerIsByteExact() throws Exception {
        long n = 300_000;
        byte[] get = ("GET /bytes/" + n + " HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        double dropsBefore = egress.metrics().drops("before_response");
        try (RawH3Client raw = new RawH3Client(egress.quicAddress(), PEER)) {
            RawH3Client.Request r = raw.requestWithData(connectTcp(origin.localAddress()), get, false);
            assertThat(r.status()).isEqualTo(200);
            byte[] body = httpBody(r.body(30));
            assertThat(body.length).isEqualTo(n);
            assertThat(MessageDigest.getInstance("SHA-256").digest(body)).isEqualTo(HttpOrigin.patternSha256(n));
        }
        assertThat(egress.metrics().drops("before_response")).isEqualTo(dropsBefore);
    }

    @Test
    void bytesAndAFinSentBeforeThe2xxAreAllWrittenAndTheHalfCloseKept() throws Exception {
        // More than the egress holds before it stops reading the stream, so it also resumes. The
        // echo answers only after the client's FIN: the FIN must come after the bytes, as a
        // half-close, not as a cancel.
        byte[] payload = new byte[200_000];
        HttpOrigin.pattern(7, payload);
        try (ServerSocket tcpEcho = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread t = new Thread(() -> echoAfterEof(tcpEcho), "tcp-echo");
            t.setDaemon(true);
            t.start();
            try (RawH3Client raw = new RawH3Client(egress.quicAddress(), PEER)) {
                RawH3Client.Request r = raw.requestWithData(
                        connectTcp((InetSocketAddress) tcpEcho.getLocalSocketAddress()), payload, true);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body(30)).isEqualTo(payload);
            }
        }
    }

    /** Reads one connection to its end, then writes all of it back and closes. */
    private static void echoAfterEof(ServerSocket server) {
        try (Socket s = server.accept()) {
            byte[] all = s.getInputStream().readAllBytes();
            s.getOutputStream().write(all);
            s.getOutputStream().flush();
        } catch (IOException e) {
            // the test fails on what it did not get back
        }
    }

    @Test
    void connectUdpWithoutCapsuleProtocolIsServedWithDatagramsAtTheIngress() throws Exception {
        datagramEchoWithoutCapsuleProtocol(ingress.quicAddress());
    }

    @Test
    void connectUdpWithoutCapsuleProtocolIsServedWithDatagramsAtTheEgress() throws Exception {
        datagramEchoWithoutCapsuleProtocol(egress.quicAddress());
    }

    private static void datagramEchoWithoutCapsuleProtocol(InetSocketAddress relay) throws Exception {
        try (RawH3Client raw = new RawH3Client(relay, PEER)) {
            Http3Headers h = RawH3Client.connectUdp("localhost:" + relay.getPort(), echoPath());
            h.remove("capsule-protocol");
            RawH3Client.Request r = raw.request(h);
            assertThat(r.status()).as(r.proxyStatus()).isEqualTo(200);
            assertThat(r.response.get().get("capsule-protocol"))
                    .as("no capsules on this stream")
                    .isNull();
            // Without the Capsule Protocol, stream data is not parsed as capsules (RFC 9297 §3.4):
            // what would be a malformed capsule does not reset the stream.
            r.writeData(HostileInputIT.concat(HostileInputIT.varint(0), HostileInputIT.varint((1L << 62) - 1)));
            long q = r.stream.streamId() / 4;
            byte[] ping = HostileInputIT.concat(HostileInputIT.varint(q), HostileInputIT.varint(0), "ping".getBytes());
            raw.datagram(ping);
            assertThat(raw.datagrams.poll(10, TimeUnit.SECONDS)).isEqualTo(ping);
            assertThat(r.reset).isNotDone();
            assertThat(raw.quic.isActive()).isTrue();
        }
    }
}
