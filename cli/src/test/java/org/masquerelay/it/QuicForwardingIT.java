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
import static org.masquerelay.it.LoopbackRelays.EGRESS_SOURCE;
import static org.masquerelay.it.LoopbackRelays.await;
import static org.masquerelay.it.LoopbackRelays.fetchExact;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3Headers;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HopConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.protocol.capsule.Capsule;
import org.masquerelay.protocol.quicproxy.PacketTransform;
import org.masquerelay.protocol.quicproxy.ProxyQuicForwarding;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.AckTargetCid;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.masquerelay.protocol.varint.VarInt;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * QUIC-aware forwarding (docs/quic-forwarding.md) end to end on loopback: the inner connection's
 * short-header packets cross the ingress in forwarded mode, byte-exact, with the same privacy as
 * tunnelled mode; peers that do not forward still work; the scramble transform leaves nothing
 * an observer of both links could match; and hostile registrations are refused.
 */
class QuicForwardingIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    @Test
    void forwardedTransferIsByteExactAndTheIngressCountsItForwarded() throws Exception {
        IngressServer ingress = relays.ingress();
        double upBefore = metric(ingress.scrapeMetrics(), "masque_ingress_forwarded_packets_total", "upstream");
        double downBefore = metric(ingress.scrapeMetrics(), "masque_ingress_forwarded_packets_total", "downstream");
        double tunnelledBefore = metric(ingress.scrapeMetrics(), "masque_ingress_bytes_total", "downstream");
        long n = 16L << 20;
        try (MasqueClient client = relays.newClient()) {
            fetchExact(client, relays.origin(), n);
            assertThat(client.forwardedPackets(false)).isGreaterThan(n / 1500 / 2);
            assertThat(client.forwardedPackets(true)).isPositive();
        }
        String m = ingress.scrapeMetrics();
        double down = metric(m, "masque_ingress_forwarded_packets_total", "downstream") - downBefore;
        double up = metric(m, "masque_ingress_forwarded_packets_total", "upstream") - upBefore;
        double tunnelled = metric(m, "masque_ingress_bytes_total", "downstream") - tunnelledBefore;
        assertThat(down).as("inner packets forwarded to the client").isGreaterThan(n / 1500.0 / 2);
        assertThat(up).as("inner packets (ACKs) forwarded to the egress").isPositive();
        assertThat(tunnelled)
                .as("bytes the ingress still tunnelled to the client (handshake only)")
                .isLessThan(n / 20.0);
        assertThat(relays.origin().peers())
                .allSatisfy(p -> assertThat(p.getAddress()).isEqualTo(EGRESS_SOURCE));
    }

    @Test
    void theLocalProxysFlowsAreForwardedToo() throws Exception {
        IngressServer ingress = relays.ingress();
        double before = metric(ingress.scrapeMetrics(), "masque_ingress_forwarded_packets_total", "downstream");
        org.masquerelay.proxy.ProxyServer proxy = relays.startProxy(false, true, null, 16);
        long n = 4L << 20;
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) relays.origin()
                .uri("/bytes/" + n)
                .toURL()
                .openConnection(new java.net.Proxy(java.net.Proxy.Type.HTTP, proxy.httpAddress()));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (java.io.InputStream in = c.getInputStream()) {
            assertThat(c.getResponseCode()).isEqualTo(200);
            byte[] buf = new byte[65536];
            long total = 0;
            for (int r; (r = in.read(buf)) > 0; ) {
                sha.update(buf, 0, r);
                total += r;
            }
            assertThat(total).isEqualTo(n);
        }
        assertThat(sha.digest()).isEqualTo(HttpOrigin.patternSha256(n));
        proxy.close();
        assertThat(metric(ingress.scrapeMetrics(), "masque_ingress_forwarded_packets_total", "downstream") - before)
                .isGreaterThan(n / 1500.0 / 2);
    }

    @Test
    void aClientThatDoesNotOfferForwardingStaysTunnelled() throws Exception {
        IngressServer ingress = relays.ingress();
        double downBefore = metric(ingress.scrapeMetrics(), "masque_ingress_forwarded_packets_total", "downstream");
        double tunnelledBefore = metric(ingress.scrapeMetrics(), "masque_ingress_bytes_total", "downstream");
        long n = 4L << 20;
        try (MasqueClient client = relays.newClient()) {
            client.offerForwarding(List.of());
            fetchExact(client, relays.origin(), n);
            assertThat(client.forwardedPackets(true)).isZero();
            assertThat(client.forwardedPackets(false)).isZero();
        }
        String m = ingress.scrapeMetrics();
        assertThat(metric(m, "masque_ingress_forwarded_packets_total", "downstream") - downBefore)
                .isZero();
        assertThat(metric(m, "masque_ingress_bytes_total", "downstream") - tunnelledBefore)
                .isGreaterThan(n);
    }

    @Test
    void anIngressWithForwardingOffServesAForwardingClientTunnelled() throws Exception {
        Path dir = relays.dir();
        Path yaml = ingressYaml(dir, "ingress-noforward.yaml", List.of(), "quic-forwarding:\n  enabled: false\n");
        try (IngressServer plain = IngressServer.start(IngressConfig.load(yaml), 2);
                MasqueClient client = new MasqueClient(clientVia(plain.quicAddress(), null), false, CLIENT)) {
            fetchExact(client, relays.origin(), 4L << 20);
            assertThat(client.forwardedPackets(true)).isZero();
            assertThat(client.forwardedPackets(false)).isZero();
            assertThat(plain.scrapeMetrics()).doesNotContain("masque_ingress_forwarded_packets");
        }
    }

    /**
     * Taps on both links of the ingress: with {@code scramble-dt}, no packet the ingress forwards
     * leaves with the bytes it came in with, in either direction; with {@code identity} the same
     * check finds them, so it is a check that can fail. Forwarding must also not change who sees
     * which address: the egress's side of the tap sees only the ingress.
     */
    @Test
    void scrambledPacketsCannotBeMatchedAcrossTheIngressAndIdentityOnesCan() throws Exception {
        assertThat(matchesAcrossTheIngress(PacketTransform.Scramble.NAME)).isZero();
        assertThat(matchesAcrossTheIngress(PacketTransform.Identity.NAME)).isGreaterThan(500);
    }

    private static int matchesAcrossTheIngress(String transform) throws Exception {
        Path dir = relays.dir();
        InetSocketAddress egress = relays.egress().quicAddress();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (UdpTap egressSide = new UdpTap(new InetSocketAddress(lo, 0), egress)) {
            Path yaml = ingressYaml(
                    dir,
                    "ingress-" + transform + ".yaml",
                    List.of(egressSide.address()),
                    "quic-forwarding:\n  transforms: [scramble-dt, identity]\n");
            try (IngressServer ingress = IngressServer.start(IngressConfig.load(yaml), 1);
                    UdpTap clientSide = new UdpTap(new InetSocketAddress(lo, 0), ingress.quicAddress());
                    MasqueClient client =
                            new MasqueClient(clientVia(clientSide.address(), egressSide.address()), false, CLIENT)) {
                client.offerForwarding(List.of(transform));
                fetchExact(client, relays.origin(), 2L << 20);
                assertThat(client.forwardedPackets(false)).isGreaterThan(500);
                assertThat(metric(ingress.scrapeMetrics(), "masque_ingress_forwarded_packets_total", "downstream"))
                        .isGreaterThan(500);
                // docs/architecture.md §2: the egress's link carries the ingress's address only.
                assertThat(egressSide.packets(true))
                        .allSatisfy(p -> assertThat(((InetSocketAddress) p.sender()).getAddress())
                                .isNotEqualTo(CLIENT));
                return matches(clientSide.packets(true), egressSide.packets(true))
                        + matches(egressSide.packets(false), clientSide.packets(false));
            }
        }
    }

    /** Packets of {@code out} whose bytes after any 20-byte connection ID equal those of a packet of {@code in}. */
    private static int matches(List<UdpTap.Packet> in, List<UdpTap.Packet> out) {
        Set<ByteBuffer> seen = new HashSet<>();
        for (UdpTap.Packet p : in) {
            if (p.bytes().length > 40) {
                seen.add(ByteBuffer.wrap(p.bytes(), 21, p.bytes().length - 21).slice());
            }
        }
        int n = 0;
        for (UdpTap.Packet p : out) {
            if (p.bytes().length > 40
                    && seen.contains(ByteBuffer.wrap(p.bytes(), 21, p.bytes().length - 21)
                            .slice())) {
                n++;
            }
        }
        return n;
    }

    @Test
    void hostileRegistrationsAreRefusedAndStrangersCannotUseAVirtualId() throws Exception {
        IngressServer ingress = relays.ingress();
        InetSocketAddress egress = relays.egress().quicAddress();
        byte[] key = PacketTransform.Scramble.newKey(new SecureRandom());
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), CLIENT)) {
            RawH3Client.Request r = raw.request(forwardingRequest(ingress, egress, key));
            assertThat(r.status()).isEqualTo(200);
            ProxyQuicForwarding answer = ProxyQuicForwarding.parse(
                    r.response.get().get(ProxyQuicForwarding.FIELD).toString());
            assertThat(answer.transform()).contains(PacketTransform.Scramble.NAME);
            assertThat(answer.scrambleKey()).get().satisfies(k -> assertThat(k).hasSize(32));

            byte[] cid = bytes("0102030405060708");
            r.writeData(capsule(new QuicProxyCapsule.RegisterTargetCid(cid, new byte[0])));
            QuicProxyCapsule ack = nextCapsule(r);
            assertThat(ack).isInstanceOf(AckTargetCid.class);
            byte[] vcid = ((AckTargetCid) ack).vcid();
            assertThat(vcid).hasSizeGreaterThanOrEqualTo(8).isNotEqualTo(cid);

            // A prefix of a registered ID cannot be told apart from it (§6.8).
            r.writeData(capsule(new QuicProxyCapsule.RegisterTargetCid(bytes("01020304"), new byte[0])));
            assertThat(nextCapsule(r)).isInstanceOf(QuicProxyCapsule.CloseTargetCid.class);
            // Sequence number 2: over the initial limit of 1 (§6.7).
            r.writeData(capsule(new QuicProxyCapsule.RegisterClientCid(bytes("a1a2a3a4a5a6a7a8"))));
            assertThat(nextCapsule(r)).isInstanceOf(QuicProxyCapsule.CloseClientCid.class);

            // A forwarded packet with our virtual ID from another address is dropped, not forwarded.
            double before =
                    metric(ingress.scrapeMetrics(), "masque_ingress_forwarding_drops_total", "unregistered_address");
            byte[] packet = new byte[64];
            new SecureRandom().nextBytes(packet);
            packet[0] = 0x41;
            System.arraycopy(vcid, 0, packet, 1, vcid.length);
            try (DatagramSocket stranger =
                    new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.6"), 0))) {
                stranger.send(new java.net.DatagramPacket(packet, packet.length, ingress.quicAddress()));
            }
            await(
                    () -> metric(
                                    ingress.scrapeMetrics(),
                                    "masque_ingress_forwarding_drops_total",
                                    "unregistered_address")
                            > before,
                    "the stranger's packet dropped");

            // A capsule only a proxy may send resets the stream.
            r.writeData(capsule(new QuicProxyCapsule.AckClientCid(cid, cid)));
            assertThat(r.reset.get(10, TimeUnit.SECONDS)).isEqualTo(Http3ErrorCode.H3_MESSAGE_ERROR.code());
        }
        await(
                () -> ingress.scrapeMetrics()
                        .contains(
                                "masque_ingress_forwarding_registrations_total{kind=\"target\",outcome=\"conflict\"}"),
                "the conflict counted");
    }

    @Test
    void aConnectionCannotHoldMoreRegistrationsThanItsLimit() throws Exception {
        Path yaml = ingressYaml(
                relays.dir(),
                "ingress-limited.yaml",
                List.of(),
                "quic-forwarding:\n  max-registrations-per-connection: 2\n");
        InetSocketAddress egress = relays.egress().quicAddress();
        byte[] key = PacketTransform.Scramble.newKey(new SecureRandom());
        try (IngressServer ingress = IngressServer.start(IngressConfig.load(yaml), 1);
                RawH3Client raw = new RawH3Client(ingress.quicAddress(), CLIENT)) {
            RawH3Client.Request first = raw.request(forwardingRequest(ingress, egress, key));
            RawH3Client.Request second = raw.request(forwardingRequest(ingress, egress, key));
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            first.writeData(capsule(new QuicProxyCapsule.RegisterClientCid(bytes("1111111111111111"))));
            assertThat(nextCapsule(first)).isInstanceOf(QuicProxyCapsule.AckClientCid.class);
            first.writeData(capsule(new QuicProxyCapsule.RegisterTargetCid(bytes("2222222222222222"), new byte[0])));
            assertThat(nextCapsule(first)).isInstanceOf(AckTargetCid.class);
            second.writeData(capsule(new QuicProxyCapsule.RegisterTargetCid(bytes("3333333333333333"), new byte[0])));
            assertThat(nextCapsule(second)).isInstanceOf(QuicProxyCapsule.CloseTargetCid.class);
            // Closing one gives its slot back, and the tunnel may register one more (§6.7).
            first.writeData(capsule(new QuicProxyCapsule.CloseTargetCid(bytes("2222222222222222"))));
            assertThat(nextCapsule(first)).isInstanceOf(QuicProxyCapsule.MaxConnectionIds.class);
            second.writeData(capsule(new QuicProxyCapsule.RegisterTargetCid(bytes("4444444444444444"), new byte[0])));
            assertThat(nextCapsule(second)).isInstanceOf(AckTargetCid.class);
        }
    }

    // --- helpers ---

    private static Http3Headers forwardingRequest(IngressServer ingress, InetSocketAddress egress, byte[] key) {
        Http3Headers h = RawH3Client.connectUdp(
                "localhost:" + ingress.quicAddress().getPort(),
                UdpProxyTemplate.defaultTemplate()
                        .expandPath(egress.getAddress().getHostAddress(), egress.getPort()));
        h.set(
                ProxyQuicForwarding.FIELD,
                ProxyQuicForwarding.offer(List.of("scramble-dt"), key).toFieldValue());
        return h;
    }

    /**
     * A copy of the deployment's ingress.yaml on free ports, with {@code extraEgress} added to its
     * egress relays and {@code extra} appended.
     */
    private static Path ingressYaml(Path dir, String name, List<InetSocketAddress> extraEgress, String extra)
            throws Exception {
        String yaml = Files.readString(dir.resolve("ingress.yaml"))
                .replaceFirst("(?m)^listen: .*$", "listen: 127.0.0.1:0")
                .replaceFirst("(?m)^  listen: .*$", "  listen: 127.0.0.1:0");
        StringBuilder relays = new StringBuilder("egress-relays:\n");
        for (InetSocketAddress a : extraEgress) {
            relays.append("  - ")
                    .append(a.getAddress().getHostAddress())
                    .append(':')
                    .append(a.getPort())
                    .append('\n');
        }
        yaml = yaml.replaceFirst("egress-relays:\n", relays.toString());
        Path out = dir.resolve(name);
        Files.writeString(out, yaml + extra);
        return out;
    }

    /** The deployment's client config, with the ingress at {@code ingress} and, if not null, the egress at {@code egress}. */
    private static ClientConfig clientVia(InetSocketAddress ingress, InetSocketAddress egress) throws Exception {
        ClientConfig c = relays.clientConfig();
        HopConfig e = egress == null
                ? c.egress()
                : new HopConfig(
                        egress.getAddress().getHostAddress() + ":" + egress.getPort(), "egress.localhost", null);
        return new ClientConfig(
                new HopConfig(
                        ingress.getAddress().getHostAddress() + ":" + ingress.getPort(), "ingress.localhost", null),
                e,
                c.caFile(),
                c.uriTemplate(),
                c.innerMaxUdpPayload(),
                c.tokens(),
                null);
    }

    /** A counter's value in Prometheus text, 0 when absent: {@code name{<label>="value"}}. */
    static double metric(String scrape, String name, String labelValue) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") && line.contains("=\"" + labelValue + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static byte[] capsule(QuicProxyCapsule c) {
        ByteBuf b = c.encode(io.netty.buffer.ByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static final java.util.Map<RawH3Client.Request, ByteBuf> PENDING =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The next connection-ID capsule on {@code r}'s stream, skipping any others. */
    private static QuicProxyCapsule nextCapsule(RawH3Client.Request r) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ByteBuf pending = PENDING.computeIfAbsent(r, k -> Unpooled.buffer());
        for (; ; ) {
            synchronized (pending) {
                ByteBuf view = pending.duplicate();
                if (VarInt.isReadable(view)) {
                    long type = VarInt.read(view);
                    if (VarInt.isReadable(view)) {
                        long length = VarInt.read(view);
                        if (view.readableBytes() >= length) {
                            ByteBuf value = view.readSlice((int) length);
                            pending.readerIndex(view.readerIndex());
                            pending.discardReadBytes();
                            if (QuicProxyCapsule.isQuicProxyType(type)) {
                                return QuicProxyCapsule.decode(new Capsule(type, value));
                            }
                            continue;
                        }
                    }
                }
            }
            byte[] data = r.data.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (data == null) {
                throw new AssertionError("no capsule within 10 s");
            }
            synchronized (pending) {
                pending.writeBytes(data);
            }
        }
    }

    private static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex);
    }
}
