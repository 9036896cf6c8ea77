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
import static org.masquerelay.it.LoopbackRelays.CLIENT;
import static org.masquerelay.it.LoopbackRelays.TARGET;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.UdpEchoProbe;
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * Tunnels that run on DATAGRAM capsules (RFC 9297 §3.5): the client's outer connection does not
 * negotiate the QUIC DATAGRAM extension (RFC 9221), so neither end may send a DATAGRAM frame on
 * it, and the inner connection's packets ride in capsules on the connect-udp request stream,
 * through both hops (docs/architecture.md §3.1).
 */
class CapsuleTunnelIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static UdpEchoServer udpEcho;
    static MasqueClient client;

    @BeforeAll
    static void start() throws Exception {
        udpEcho = new UdpEchoServer(new InetSocketAddress(TARGET, 0));
        ClientConfig c = relays.clientConfig();
        client = new MasqueClient(
                new ClientConfig(
                        c.ingress(),
                        c.egress(),
                        c.caFile(),
                        c.uriTemplate(),
                        c.innerMaxUdpPayload(),
                        c.tokens(),
                        false,
                        false),
                false,
                CLIENT);
        client.connect().get(20, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {client, udpEcho}) {
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
    void theTunnelRunsOnCapsules() throws Exception {
        assertThat(client.tunnelTransport()).contains(MasqueClient.TunnelTransport.CAPSULES);
    }

    @Test
    void bulkTransferOf16MiBIsByteExact() throws Exception {
        long n = 16L << 20;
        long t0 = System.nanoTime();
        LoopbackRelays.fetchExact(client, relays.origin(), n);
        double secs = (System.nanoTime() - t0) / 1e9;
        MasqueClient.PathMtus mtus = client.pathMtus().get(5, TimeUnit.SECONDS);
        System.out.printf(
                "capsule tunnel: 16 MiB in %.2f s (%.1f MB/s); inner packets of %d bytes%n",
                secs, n / secs / 1e6, mtus.inner());
        assertThat(client.tunnelTransport()).contains(MasqueClient.TunnelTransport.CAPSULES);
    }

    @Test
    void udpEchoOf1000DatagramsDeliversAtLeast99Percent() throws Exception {
        UdpEchoProbe.Result r = UdpEchoProbe.run(
                client, TARGET.getHostAddress(), udpEcho.localAddress().getPort(), 1000, 1200, 32, 3000);
        System.out.printf(
                "capsule tunnel: UDP echo %d/%d, RTT p50 %.0f us, p99 %.0f us%n",
                r.received(), r.sent(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3);
        assertThat(r.deliveredRatio()).isGreaterThanOrEqualTo(0.99);
    }
}
