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
import static org.masquerelay.it.LoopbackRelays.TARGET;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HopConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.ProxyResponseException;
import org.masquerelay.client.UdpEchoProbe;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * The HTTP/2 fallback (docs/architecture.md §3.6): the ingress's TCP listener
 * serves connect-udp as an extended CONNECT (RFC 8441, RFC 9298 §3.3) with DATAGRAM capsules, by
 * the same request handler as its QUIC listener, and the client carries its unchanged inner QUIC
 * connection inside. With {@code auto} the client falls back when UDP to the ingress goes nowhere.
 */
class Http2FallbackIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static UdpEchoServer udpEcho;
    static MasqueClient h2;

    @BeforeAll
    static void start() throws Exception {
        udpEcho = new UdpEchoServer(new InetSocketAddress(TARGET, 0));
        h2 = relays.newClient();
        h2.transport(MasqueClient.Transport.H2);
        h2.connect().get(20, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {h2, udpEcho}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    void theIngressListensOnTcpAtItsQuicPort() {
        assertThat(relays.ingress().http2Address())
                .hasValueSatisfying(a -> assertThat(a.getPort())
                        .isEqualTo(relays.ingress().quicAddress().getPort()));
    }

    @Test
    void aBulkTransferOf32MiBOverHttp2IsByteExact() throws Exception {
        long n = 32L << 20;
        long t0 = System.nanoTime();
        LoopbackRelays.fetchExact(h2, relays.origin(), n);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("HTTP/2 tunnel: 32 MiB in %.2f s (%.1f MB/s)%n", secs, n / secs / 1e6);
        assertThat(h2.tunnelTransport()).contains(MasqueClient.TunnelTransport.HTTP2_CAPSULES);
    }

    @Test
    void udpEchoOverHttp2DeliversAtLeast99Percent() throws Exception {
        UdpEchoProbe.Result r = UdpEchoProbe.run(
                h2, TARGET.getHostAddress(), udpEcho.localAddress().getPort(), 1000, 1200, 32, 3000);
        System.out.printf(
                "HTTP/2 tunnel: UDP echo %d/%d, RTT p50 %.0f us, p99 %.0f us%n",
                r.received(), r.sent(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3);
        assertThat(r.deliveredRatio()).isGreaterThanOrEqualTo(0.99);
    }

    /** The policy is the QUIC listener's: a target that is not a configured egress gets the same 403. */
    @Test
    void theIngressRefusesOverHttp2WhatItRefusesOverQuic() throws Exception {
        ClientConfig good = relays.clientConfig();
        ClientConfig bad = new ClientConfig(
                good.ingress(),
                new HopConfig(
                        TARGET.getHostAddress() + ":" + udpEcho.localAddress().getPort(), "egress.localhost", null),
                good.caFile(),
                null,
                null,
                null,
                null);
        for (MasqueClient.Transport t : MasqueClient.Transport.values()) {
            if (t == MasqueClient.Transport.AUTO) {
                continue;
            }
            try (MasqueClient c = new MasqueClient(bad, false, CLIENT)) {
                c.transport(t);
                assertThatThrownBy(() -> c.connect().get(20, TimeUnit.SECONDS))
                        .as(t.name())
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOfSatisfying(ProxyResponseException.class, e -> {
                            assertThat(e.status()).isEqualTo(403);
                            assertThat(e.proxyStatus()).startsWith("ingress").contains("error=http_request_denied");
                        });
            }
        }
        assertThat(udpEcho.received()).isZero();
    }

    /**
     * A second ingress whose QUIC port is elsewhere: at the client's address a UDP socket takes
     * every packet and answers none, as a network that drops UDP does, while TCP reaches the
     * HTTP/2 listener. {@code auto} connects over HTTP/2 after the attempt delay, and the next
     * client of this network goes to HTTP/2 at once.
     */
    @Test
    void autoFallsBackToHttp2WhenUdpIsDropped() throws Exception {
        MasqueClient.forgetBlockedNetworks();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket blackHole = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            int port = blackHole.getLocalPort();
            Path yaml = relays.dir().resolve("ingress-udp-blocked.yaml");
            String config = Files.readString(relays.dir().resolve("ingress.yaml"))
                    .replaceFirst("(?m)^listen: .*$", "listen: 127.0.0.1:0\nhttp2:\n  listen: 127.0.0.1:" + port)
                    .replaceFirst("(?m)^admin:\n  listen: .*\n", "");
            Files.writeString(yaml, config);
            try (IngressServer blocked = IngressServer.start(IngressConfig.load(yaml))) {
                ClientConfig c = relays.clientConfig();
                ClientConfig toBlocked = new ClientConfig(
                        new HopConfig("127.0.0.1:" + port, c.ingress().serverName(), null),
                        c.egress(),
                        c.caFile(),
                        null,
                        null,
                        null,
                        null);
                long first;
                try (MasqueClient auto = new MasqueClient(toBlocked, false, CLIENT)) {
                    long t0 = System.nanoTime();
                    auto.connect().get(20, TimeUnit.SECONDS);
                    first = System.nanoTime() - t0;
                    assertThat(auto.tunnelTransport()).contains(MasqueClient.TunnelTransport.HTTP2_CAPSULES);
                    LoopbackRelays.fetchExact(auto, relays.origin(), 1 << 20);
                }
                assertThat(first)
                        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(MasqueClient.ATTEMPT_DELAY_MILLIS));
                try (MasqueClient again = new MasqueClient(toBlocked, false, CLIENT)) {
                    long t0 = System.nanoTime();
                    again.connect().get(20, TimeUnit.SECONDS);
                    long second = System.nanoTime() - t0;
                    assertThat(again.tunnelTransport()).contains(MasqueClient.TunnelTransport.HTTP2_CAPSULES);
                    assertThat(MasqueClient.blockedNetworks()).hasSize(1);
                    System.out.printf(
                            "auto with UDP dropped: first connect %.0f ms (QUIC, then HTTP/2), the next %.0f ms%n",
                            first / 1e6, second / 1e6);
                }
            }
        } finally {
            MasqueClient.forgetBlockedNetworks();
        }
    }

    /** Where QUIC answers, {@code auto} uses it, and remembers nothing. */
    @Test
    void autoUsesQuicWhereItConnects() throws Exception {
        try (MasqueClient auto = relays.newClient()) {
            auto.connect().get(20, TimeUnit.SECONDS);
            assertThat(auto.tunnelTransport()).contains(MasqueClient.TunnelTransport.DATAGRAMS);
        }
    }
}
