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

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HopConfig;
import org.masquerelay.client.MasqueClient;

/**
 * Both hops over a path that carries at most 1280-byte UDP payloads between client and ingress
 * (an IPv6-minimum link, or an ingress such as h2o that sends no larger): the outer and inner
 * connections start at 1200 bytes (RFC 9000 §14) and find the path's size by DPLPMTUD (RFC 8899,
 * RFC 9000 §14.3), so a bulk transfer completes byte-exact instead of hanging on dropped
 * full-size packets (docs/architecture.md, "Packet sizes").
 */
class PathMtuIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static final int PATH_LIMIT = 1280;
    static final long BULK = 32L << 20;

    @Test
    void tunnelledTransferOf32MiBCrossesA1280BytePath() throws Exception {
        narrowTransfer(false);
    }

    @Test
    void forwardedTransferOf32MiBCrossesA1280BytePath() throws Exception {
        narrowTransfer(true);
    }

    private void narrowTransfer(boolean forwarding) throws Exception {
        try (NarrowPath path = new NarrowPath(
                        new InetSocketAddress(LoopbackRelays.addr("127.0.0.1"), 0),
                        relays.ingress().quicAddress(),
                        PATH_LIMIT);
                MasqueClient client = new MasqueClient(via(path.address(), forwarding), false, CLIENT)) {
            MasqueClient.PathMtus mtus = transfer(client, "1280-byte path, forwarding " + (forwarding ? "on" : "off"));
            System.out.printf(
                    "  the path dropped %d of %d datagrams for their size%n",
                    path.dropped(), path.dropped() + path.passed());
            assertThat(path.largestPassed()).isLessThanOrEqualTo(PATH_LIMIT);
            // The outer connection found the path's size, and the inner one grew past 1200: into
            // what one outer DATAGRAM frame of that size holds, or, forwarded, to the path's size
            // itself, as its short-header packets then cross the path bare (docs/quic-forwarding.md).
            assertThat(mtus.outer()).isBetween(1250L, (long) PATH_LIMIT);
            assertThat(mtus.inner()).isGreaterThan(1200L);
            if (forwarding) {
                assertThat(mtus.inner()).isLessThanOrEqualTo(PATH_LIMIT);
            } else {
                assertThat(mtus.inner()).isLessThan(mtus.outer());
            }
        }
    }

    @Test
    void onAFullSizePathTheInnerConnectionGrowsPastItsOldFixedSize() throws Exception {
        try (MasqueClient client = new MasqueClient(relays.clientConfig(), false, CLIENT)) {
            MasqueClient.PathMtus mtus = transfer(client, "loopback path (1452-byte outer packets)");
            assertThat(mtus.outer()).isEqualTo(MasqueClient.OUTER_MAX_UDP_PAYLOAD);
            // One outer DATAGRAM frame's room: the outer packet less its short header (1 byte,
            // the ingress's 10-byte ID behind two listener sockets), a 4-byte packet number, the
            // 16-byte AEAD tag, the frame's type and length (3), and the HTTP Datagram's two ids.
            assertThat(mtus.inner()).isEqualTo(MasqueClient.OUTER_MAX_UDP_PAYLOAD - (1 + 10 + 4 + 16 + 3) - 2);
        }
    }

    @Test
    void bothEndsOfTheOuterConnectionUseShortConnectionIds() throws Exception {
        try (UdpTap tap = new UdpTap(
                        new InetSocketAddress(LoopbackRelays.addr("127.0.0.1"), 0),
                        relays.ingress().quicAddress());
                MasqueClient client = new MasqueClient(via(tap.address(), false), false, CLIENT)) {
            client.connect().get(20, TimeUnit.SECONDS);
            // Long headers name both IDs (RFC 8999 §5.1): the client's is 8 bytes, the ingress's
            // 10, the least Netty's dispatcher over two sockets allows (2 bytes name the socket).
            assertThat(longHeaderIdLengths(tap.packets(true), false)).containsOnly(MasqueClient.CONNECTION_ID_LENGTH);
            assertThat(longHeaderIdLengths(tap.packets(false), true)).containsOnly(MasqueClient.CONNECTION_ID_LENGTH);
            assertThat(longHeaderIdLengths(tap.packets(false), false)).containsOnly(10);
        }
    }

    /** The destination ({@code dcid}) or source connection ID lengths of the long-header packets. */
    private static java.util.Set<Integer> longHeaderIdLengths(java.util.List<UdpTap.Packet> packets, boolean dcid) {
        java.util.Set<Integer> lengths = new java.util.HashSet<>();
        for (UdpTap.Packet p : packets) {
            byte[] b = p.bytes();
            if (b.length > 6 && (b[0] & 0x80) != 0) {
                int dcidLength = b[5] & 0xff;
                lengths.add(dcid ? dcidLength : b[6 + dcidLength] & 0xff);
            }
        }
        return lengths;
    }

    /** Connects, fetches {@link #BULK} bytes byte-exact, and prints the sizes and the rate. */
    private static MasqueClient.PathMtus transfer(MasqueClient client, String what) throws Exception {
        client.connect().get(20, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        LoopbackRelays.fetchExact(client, relays.origin(), BULK);
        double secs = (System.nanoTime() - t0) / 1e9;
        MasqueClient.PathMtus mtus = client.pathMtus().get(5, TimeUnit.SECONDS);
        MasqueClient.ConnectionStats stats = client.connectionStats().get(5, TimeUnit.SECONDS);
        System.out.printf(
                "%s: 32 MiB in %.2f s (%.1f MB/s); client sends outer packets of %d bytes, inner packets of %d;"
                        + " inner received %d packets, %d bytes (%.0f bytes each)%n",
                what,
                secs,
                BULK / secs / 1e6,
                mtus.outer(),
                mtus.inner(),
                stats.inner().recv(),
                stats.inner().recvBytes(),
                (double) stats.inner().recvBytes() / Math.max(1, stats.inner().recv()));
        return mtus;
    }

    /** The deployment's client config with the ingress reached through {@code ingress}. */
    private static ClientConfig via(InetSocketAddress ingress, boolean forwarding) throws Exception {
        ClientConfig c = relays.clientConfig();
        return new ClientConfig(
                new HopConfig(
                        ingress.getAddress().getHostAddress() + ":" + ingress.getPort(),
                        c.ingress().serverNameOrAddress(),
                        null),
                c.egress(),
                c.caFile(),
                c.uriTemplate(),
                c.innerMaxUdpPayload(),
                c.tokens(),
                forwarding);
    }
}
