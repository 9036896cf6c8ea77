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
import static org.masquerelay.it.LocalProxyClient.ATYP_IPV4;
import static org.masquerelay.it.LocalProxyClient.ATYP_IPV6;
import static org.masquerelay.it.LocalProxyClient.contentLength;
import static org.masquerelay.it.LocalProxyClient.field;
import static org.masquerelay.it.LocalProxyClient.inBackground;
import static org.masquerelay.it.LocalProxyClient.readHead;
import static org.masquerelay.it.LocalProxyClient.send;
import static org.masquerelay.it.LocalProxyClient.sha256Of;
import static org.masquerelay.it.LocalProxyClient.socksCommand;
import static org.masquerelay.it.LocalProxyClient.socksConnect;
import static org.masquerelay.it.LocalProxyClient.socksGreeted;
import static org.masquerelay.it.LocalProxyClient.status;
import static org.masquerelay.it.LoopbackRelays.EGRESS_SOURCE;
import static org.masquerelay.it.LoopbackRelays.TARGET;
import static org.masquerelay.it.LoopbackRelays.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;
import org.masquerelay.proxy.ProxyConfig;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.TcpEchoServer;
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * The local proxy through real relays on loopback: SOCKS5 CONNECT and UDP ASSOCIATE, HTTP CONNECT
 * and absolute-form, error mapping, backpressure toward a slow reader, the client pool, drain.
 */
class ProxyIT {
    /**
     * What one flow may hold for a stalled reader: {@link ByteStreamRelay#HIGH_WATER} (1 MiB) in
     * flight toward the local socket plus the read batch that crossed it (about 64 KiB measured),
     * with room to spare for larger batches on other machines. Kernel socket buffers and quiche's
     * receive window (bounded by QUIC flow control) are not the proxy's and are not counted.
     */
    static final long BUFFER_BOUND = 3L << 20;

    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static ProxyServer proxy;
    static TcpEchoServer tcpEcho;
    static UdpEchoServer udpEcho;

    @BeforeAll
    static void start() throws Exception {
        tcpEcho = relays.closeAfterAll(new TcpEchoServer(new InetSocketAddress(TARGET, 0)));
        udpEcho = relays.closeAfterAll(new UdpEchoServer(new InetSocketAddress(TARGET, 0)));
        proxy = startProxy(ProxyConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION);
    }

    static ProxyServer startProxy(int maxStreams) throws Exception {
        return relays.startProxy(true, true, null, maxStreams);
    }

    static HttpOrigin origin() {
        return relays.origin();
    }

    @Test
    void socksConnectByIpv4FetchesByteExactAndOriginSeesTheEgressSource() throws Exception {
        long n = 4L << 20;
        try (Socket s = socksGreeted(proxy.socksAddress())) {
            var reply = socksCommand(
                    s,
                    1,
                    ATYP_IPV4,
                    TARGET.getAddress(),
                    origin().localAddress().getPort());
            assertThat(reply.rep()).isZero();
            send(s, "GET /bytes/" + n + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
            String head = readHead(s.getInputStream());
            assertThat(status(head)).isEqualTo(200);
            assertThat(sha256Of(s.getInputStream(), n)).isEqualTo(HttpOrigin.patternSha256(n));
        }
        assertThat(origin().peers())
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.getAddress()).isEqualTo(EGRESS_SOURCE));
    }

    @Test
    void socksConnectByDomainNameLetsTheEgressResolveIt() throws Exception {
        // "localhost" is resolved by the egress (hosts file), never by the proxy: the echo server
        // listens where that name points.
        try (TcpEchoServer local = new TcpEchoServer(new InetSocketAddress("127.0.0.1", 0));
                Socket s = socksGreeted(proxy.socksAddress())) {
            var reply = socksConnect(s, "localhost", local.localAddress().getPort());
            assertThat(reply.rep()).isZero();
            byte[] msg = "hello through two hops".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.getOutputStream().write(msg);
            assertThat(s.getInputStream().readNBytes(msg.length)).isEqualTo(msg);
        }
    }

    @Test
    void socksConnectByIpv6LiteralIsPassedAsAnAddress() throws Exception {
        // ::ffff:10.1.2.3 is a private address in IPv6 form: the egress refuses it by policy, which
        // proves the literal reached it intact.
        byte[] v6 = InetAddress.getByName("::ffff:10.1.2.3").getAddress();
        byte[] mapped = new byte[16];
        System.arraycopy(v6, 0, mapped, 16 - v6.length, v6.length);
        if (v6.length == 4) {
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
        }
        try (Socket s = socksGreeted(proxy.socksAddress())) {
            assertThat(socksCommand(s, 1, ATYP_IPV6, mapped, 80).rep()).isEqualTo(0x02);
        }
    }

    @Test
    void socksRefusalsMapToReplyCodes() throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0, 1, TARGET)) {
            closedPort = ss.getLocalPort();
        }
        try (Socket s = socksGreeted(proxy.socksAddress())) {
            // 403 destination_ip_prohibited -> X'02' connection not allowed by ruleset
            assertThat(socksCommand(s, 1, ATYP_IPV4, new byte[] {10, 1, 2, 3}, 80)
                            .rep())
                    .isEqualTo(0x02);
            assertThat(s.getInputStream().read())
                    .as("closed after a failure reply")
                    .isEqualTo(-1);
        }
        try (Socket s = socksGreeted(proxy.socksAddress())) {
            // 502 connection_refused -> X'05' connection refused
            assertThat(socksCommand(s, 1, ATYP_IPV4, TARGET.getAddress(), closedPort)
                            .rep())
                    .isEqualTo(0x05);
        }
        try (Socket s = socksGreeted(proxy.socksAddress())) {
            // BIND -> X'07' command not supported
            assertThat(socksCommand(s, 2, ATYP_IPV4, TARGET.getAddress(), 80).rep())
                    .isEqualTo(0x07);
        }
    }

    @Test
    void socksUdpAssociateEchoesThroughBothHopsDropsFragmentsAndEndsWithItsTcpConnection() throws Exception {
        long egressFlowsBefore = relays.egress().metrics().tunnels();
        int port = udpEcho.localAddress().getPort();
        InetSocketAddress relay;
        try (Socket control = socksGreeted(proxy.socksAddress());
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            var reply = socksCommand(control, 3, ATYP_IPV4, new byte[4], 0);
            assertThat(reply.rep()).isZero();
            relay = new InetSocketAddress(InetAddress.getByAddress(reply.address()), reply.port());
            udp.setSoTimeout(3000);
            long receivedBefore = udpEcho.received();
            // FRAG 1: dropped, never sent on
            udp.send(packet(relay, udpRequest(1, TARGET.getAddress(), port, new byte[] {9, 9, 9})));
            int echoed = 0;
            for (int i = 0; i < 20; i++) {
                byte[] payload = new byte[500 + i];
                ThreadLocalRandom.current().nextBytes(payload);
                udp.send(packet(relay, udpRequest(0, TARGET.getAddress(), port, payload)));
                byte[] back = receive(udp);
                if (back == null) {
                    continue; // UDP may lose one; the flow may still be opening
                }
                ByteBuffer b = ByteBuffer.wrap(back);
                assertThat(b.getShort()).isZero(); // RSV
                assertThat(b.get()).isZero(); // FRAG
                assertThat(b.get()).isEqualTo((byte) ATYP_IPV4);
                byte[] addr = new byte[4];
                b.get(addr);
                assertThat(addr).isEqualTo(TARGET.getAddress());
                assertThat(b.getShort() & 0xffff).isEqualTo(port);
                assertThat(Arrays.copyOfRange(back, 10, back.length)).isEqualTo(payload);
                echoed++;
            }
            assertThat(echoed).isGreaterThanOrEqualTo(18);
            assertThat(udpEcho.received() - receivedBefore).isEqualTo(20); // not 21: the fragment stayed
            assertThat(udpEcho.peers())
                    .allSatisfy(p -> assertThat(p.getAddress()).isEqualTo(EGRESS_SOURCE));
        }
        // The control connection closed: the association and its flow end.
        await(() -> relays.egress().metrics().tunnels() <= egressFlowsBefore, "egress udp flow to end");
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            udp.setSoTimeout(500);
            udp.send(packet(relay, udpRequest(0, TARGET.getAddress(), port, new byte[] {1})));
            assertThat(receive(udp)).isNull();
        }
    }

    @Test
    void httpAbsoluteFormReusesOneUpstreamPerTargetAndStripsProxyFields() throws Exception {
        try (HttpOrigin second = new HttpOrigin(new InetSocketAddress(LoopbackRelays.addr("127.0.0.98"), 0));
                Socket s = new Socket()) {
            s.connect(proxy.httpAddress(), 5000);
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            int peersBefore = origin().peers().size();
            String base = "http://" + TARGET.getHostAddress() + ":"
                    + origin().localAddress().getPort();
            for (int i = 0; i < 3; i++) {
                send(
                        s,
                        "GET " + base + "/bytes/100000 HTTP/1.1\r\nHost: wrong.example\r\n"
                                + "Proxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\n\r\n");
                String head = readHead(in);
                assertThat(status(head)).isEqualTo(200);
                assertThat(field(head, "connection")).isNull(); // HTTP/1.1 keep-alive
                assertThat(sha256Of(in, contentLength(head))).isEqualTo(HttpOrigin.patternSha256(100000));
            }
            assertThat(origin().peers().size() - peersBefore)
                    .as("one upstream for three requests")
                    .isEqualTo(1);
            // Another target on the same local connection: a new upstream.
            send(s, "GET http://127.0.0.98:" + second.localAddress().getPort() + "/whoami HTTP/1.1\r\nHost: x\r\n\r\n");
            String head = readHead(in);
            assertThat(status(head)).isEqualTo(200);
            String who =
                    new String(in.readNBytes((int) contentLength(head)), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(who.trim()).isEqualTo(EGRESS_SOURCE.getHostAddress());
            // Connection: close is honoured after the response.
            send(s, "GET " + base + "/bytes/10 HTTP/1.1\r\nConnection: close\r\n\r\n");
            head = readHead(in);
            assertThat(field(head, "connection")).isEqualToIgnoringCase("close");
            assertThat(in.readNBytes(10)).hasSize(10);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void httpAbsoluteFormForwardsRequestBodiesOfBothFramings() throws Exception {
        byte[] body = new byte[2 << 20];
        ThreadLocalRandom.current().nextBytes(body);
        String url = "http://" + TARGET.getHostAddress() + ":"
                + origin().localAddress().getPort() + "/echo";
        try (Socket s = new Socket()) {
            s.connect(proxy.httpAddress(), 5000);
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            // Content-Length: written while the echo comes back, as the origin streams it.
            CompletableFuture<Void> writer = inBackground(() -> {
                send(s, "POST " + url + " HTTP/1.1\r\nHost: o\r\nContent-Length: " + body.length + "\r\n\r\n");
                s.getOutputStream().write(body);
            });
            String head = readHead(in);
            assertThat(status(head)).isEqualTo(200);
            assertThat(contentLength(head)).isEqualTo(body.length);
            assertThat(in.readNBytes(body.length)).isEqualTo(body);
            writer.get(30, TimeUnit.SECONDS);
            // Chunked, on the same connection and upstream.
            writer = inBackground(() -> {
                send(s, "POST " + url + " HTTP/1.1\r\nHost: o\r\nTransfer-Encoding: chunked\r\n\r\n");
                for (int off = 0; off < body.length; off += 100_000) {
                    int len = Math.min(100_000, body.length - off);
                    send(s, Integer.toHexString(len) + "\r\n");
                    s.getOutputStream().write(body, off, len);
                    send(s, "\r\n");
                }
                send(s, "0\r\n\r\n");
            });
            head = readHead(in);
            assertThat(status(head)).isEqualTo(200);
            assertThat(field(head, "transfer-encoding")).isEqualToIgnoringCase("chunked");
            assertThat(LocalProxyClient.readChunked(in)).isEqualTo(body);
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void httpConnectRelaysBytesAfter200() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(proxy.httpAddress(), 5000);
            s.setSoTimeout(60_000);
            String authority =
                    TARGET.getHostAddress() + ":" + tcpEcho.localAddress().getPort();
            send(s, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
            String head = readHead(s.getInputStream());
            assertThat(status(head)).isEqualTo(200);
            byte[] msg = new byte[300_000];
            ThreadLocalRandom.current().nextBytes(msg);
            CompletableFuture<Void> writer = inBackground(() -> {
                s.getOutputStream().write(msg);
                s.shutdownOutput();
            });
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(msg);
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void httpRefusalsPassTheRelaysStatusAndProxyStatusThrough() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(proxy.httpAddress(), 5000);
            s.setSoTimeout(30_000);
            send(s, "GET http://10.1.2.3/ HTTP/1.1\r\nHost: 10.1.2.3\r\n\r\n");
            String head = readHead(s.getInputStream());
            assertThat(status(head)).isEqualTo(403);
            assertThat(field(head, "proxy-status")).startsWith("egress; error=destination_ip_prohibited; details=");
        }
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0, 1, TARGET)) {
            closedPort = ss.getLocalPort();
        }
        try (Socket s = new Socket()) {
            s.connect(proxy.httpAddress(), 5000);
            s.setSoTimeout(30_000);
            send(s, "CONNECT " + TARGET.getHostAddress() + ":" + closedPort + " HTTP/1.1\r\n\r\n");
            String head = readHead(s.getInputStream());
            assertThat(status(head)).isEqualTo(502);
            assertThat(field(head, "proxy-status")).startsWith("egress").contains("error=connection_refused");
        }
    }

    @Test
    void aSlowReaderKeepsTheProxysBufferBounded() throws Exception {
        long n = 48L << 20;
        for (String mode : List.of("socks", "http")) {
            await(() -> proxy.stats().bufferedBytes() == 0, "no bytes held before the download");
            proxy.stats().resetMaxBufferedBytes();
            long downAtStart = proxy.stats().bytesDown();
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(64 * 1024);
                String path = "/bytes/" + n;
                if (mode.equals("socks")) {
                    s.connect(proxy.socksAddress(), 5000);
                    s.getOutputStream().write(new byte[] {5, 1, 0});
                    assertThat(s.getInputStream().readNBytes(2)).containsExactly(5, 0);
                    assertThat(socksCommand(
                                            s,
                                            1,
                                            ATYP_IPV4,
                                            TARGET.getAddress(),
                                            origin().localAddress().getPort())
                                    .rep())
                            .isZero();
                    send(s, "GET " + path + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
                } else {
                    s.connect(proxy.httpAddress(), 5000);
                    send(
                            s,
                            "GET http://" + TARGET.getHostAddress() + ":"
                                    + origin().localAddress().getPort() + path
                                    + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
                }
                s.setSoTimeout(120_000);
                InputStream in = s.getInputStream();
                assertThat(status(readHead(in))).isEqualTo(200);
                byte[] first = in.readNBytes(4 << 20);
                assertThat(first).hasSize(4 << 20);
                // The reader stalls until the proxy stops accepting (its count of bytes down stays
                // put for 2 s), at least 5 s. Without backpressure that happens only once the whole
                // body is in the proxy's memory.
                long stallStart = System.nanoTime();
                long lastDown = -1;
                long steadySince = stallStart;
                while (System.nanoTime() - stallStart < TimeUnit.SECONDS.toNanos(90)) {
                    long down = proxy.stats().bytesDown() - downAtStart;
                    long now = System.nanoTime();
                    if (down != lastDown) {
                        lastDown = down;
                        steadySince = now;
                    } else if (now - steadySince >= TimeUnit.SECONDS.toNanos(2)
                            && now - stallStart >= TimeUnit.SECONDS.toNanos(5)) {
                        break;
                    }
                    Thread.sleep(100);
                }
                double stalledSeconds = (System.nanoTime() - stallStart) / 1e9;
                long maxWhileStalled = proxy.stats().maxBufferedBytes();
                byte[] rest = in.readAllBytes();
                assertThat(first.length + (long) rest.length).isEqualTo(n);
                System.err.printf(
                        "backpressure (%s): stalled %.1f s; max buffered %d bytes while stalled, %d "
                                + "over the whole download; %d of %d bytes accepted when the stall ended%n",
                        mode, stalledSeconds, maxWhileStalled, proxy.stats().maxBufferedBytes(), lastDown, n);
                assertThat(maxWhileStalled)
                        .as("the proxy never passed its bound")
                        .isLessThan(BUFFER_BOUND);
                assertThat(proxy.stats().maxBufferedBytes()).isLessThan(BUFFER_BOUND);
                // The stall reached the proxy (not only kernel buffers): it held about HIGH_WATER.
                assertThat(maxWhileStalled).isGreaterThan(ByteStreamRelay.HIGH_WATER / 2);
                assertThat(lastDown)
                        .as("the proxy stopped accepting long before the end")
                        .isLessThan(n / 2);
            }
        }
    }

    @Test
    void moreFlowsThanMaxStreamsOpenAnotherRelayConnection() throws Exception {
        try (ProxyServer small = startProxy(2)) {
            List<Socket> flows = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket s = socksGreeted(small.socksAddress());
                    flows.add(s);
                    assertThat(socksCommand(
                                            s,
                                            1,
                                            ATYP_IPV4,
                                            TARGET.getAddress(),
                                            tcpEcho.localAddress().getPort())
                                    .rep())
                            .isZero();
                }
                for (Socket s : flows) {
                    s.getOutputStream().write(new byte[] {42});
                    assertThat(s.getInputStream().read()).isEqualTo(42);
                }
                assertThat(small.pool().activeStreams()).isEqualTo(5);
                assertThat(small.pool().clients()).isEqualTo(3);
                assertThat(small.stats().statusLine())
                        .contains("5 active flow(s)")
                        .contains("3 relay connection(s)")
                        .contains("location "
                                + small.pool()
                                        .location()
                                        .map(l -> l.geohash() + "-" + l.country())
                                        .orElse("unknown"));
            } finally {
                for (Socket s : flows) {
                    s.close();
                }
            }
            await(() -> small.pool().activeStreams() == 0, "streams released");
        }
    }

    @Test
    void drainStopsAcceptingAndLetsAnActiveFlowFinish() throws Exception {
        ProxyServer draining = startProxy(100);
        long n = 8L << 20;
        Socket s = socksGreeted(draining.socksAddress());
        try {
            assertThat(socksCommand(
                                    s,
                                    1,
                                    ATYP_IPV4,
                                    TARGET.getAddress(),
                                    origin().localAddress().getPort())
                            .rep())
                    .isZero();
            send(s, "GET /bytes/" + n + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
            InputStream in = s.getInputStream();
            assertThat(status(readHead(in))).isEqualTo(200);
            byte[] first = in.readNBytes(1 << 20);
            CompletableFuture<Void> drain =
                    CompletableFuture.runAsync(() -> draining.drainAndClose(Duration.ofSeconds(60)));
            await(
                    () -> {
                        try (Socket probe = new Socket()) {
                            probe.connect(draining.socksAddress(), 1000);
                            return false;
                        } catch (IOException refused) {
                            return true;
                        }
                    },
                    "the listener to close");
            assertThat(drain).isNotDone();
            byte[] rest = in.readAllBytes();
            assertThat(first.length + (long) rest.length).isEqualTo(n);
            s.close(); // as curl does after the end of the body: the last local connection is gone
            drain.get(30, TimeUnit.SECONDS);
        } finally {
            s.close();
            draining.close();
        }
    }

    private static byte[] udpRequest(int frag, byte[] ipv4, int port, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(10 + payload.length);
        b.putShort((short) 0)
                .put((byte) frag)
                .put((byte) ATYP_IPV4)
                .put(ipv4)
                .putShort((short) port)
                .put(payload);
        return b.array();
    }

    private static DatagramPacket packet(InetSocketAddress to, byte[] data) {
        return new DatagramPacket(data, data.length, to);
    }

    private static byte[] receive(DatagramSocket udp) throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            udp.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buf, p.getLength());
    }
}
