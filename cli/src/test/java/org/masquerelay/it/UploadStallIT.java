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
import static org.masquerelay.it.LocalProxyClient.socksCommand;
import static org.masquerelay.it.LocalProxyClient.socksGreeted;
import static org.masquerelay.it.LoopbackRelays.TARGET;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.egress.config.EgressLimitsConfig;
import org.masquerelay.proxy.ProxyConfig;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * The upload mirror of {@link ProxyStallIT}: TCP targets that accept and never read stall the
 * uploads to them, at the egress, and must stall nothing else. 20 SOCKS5 flows upload to such
 * targets until every buffer on the way is full; a live upload on the same inner connection to a
 * target that reads must still finish byte-exact within 2x of its own time measured before.
 *
 * <p>The egress's memory stays bounded: at the default {@code stalled-upload-mib-per-connection}
 * one inner connection holds 15 stalled uploads, so of the 20 the 5 stalled longest are reset and
 * counted, and the other 15 stay open beside the live upload.
 */
class UploadStallIT {
    static final int STALLED = 20;
    static final long LIVE_BODY = 16L << 20;
    /** As in {@link ProxyStallIT}: a stall costs the idle timeout, far above this floor. */
    static final long FLOOR_MILLIS = 1_000;
    /** Stalled uploads one inner connection holds at the default budget. */
    static final int ROOM = EgressLimitsConfig.DEFAULTS.stalledUploadsPerConnection();

    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static ProxyServer proxy;
    static ServerSocket sink;
    static ServerSocket blackHole;
    static final List<Socket> accepted = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        proxy = relays.startProxy(true, false, null, ProxyConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION);
        sink = new ServerSocket();
        sink.bind(new InetSocketAddress(TARGET, 0));
        daemon("upload-sink", UploadStallIT::serveSink);
        blackHole = new ServerSocket();
        blackHole.setReceiveBufferSize(64 << 10); // inherited by accepted sockets
        blackHole.bind(new InetSocketAddress(TARGET, 0));
        daemon("upload-black-hole", UploadStallIT::serveBlackHole);
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void stop() throws IOException {
        sink.close();
        blackHole.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    /** Reads each connection to its end, then answers {@code <bytes> <sha-256 hex>\n}. */
    private static void serveSink() {
        while (!sink.isClosed()) {
            try {
                Socket s = sink.accept();
                daemon("upload-sink-conn", () -> {
                    try (s) {
                        MessageDigest sha = MessageDigest.getInstance("SHA-256");
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[64 << 10];
                        long total = 0;
                        for (int n; (n = in.read(buf)) > 0; ) {
                            sha.update(buf, 0, n);
                            total += n;
                        }
                        String answer = total + " " + HexFormat.of().formatHex(sha.digest()) + "\n";
                        s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception ignored) {
                        // the test sees the missing answer
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Accepts and never reads: what it accepts fills its small receive buffer and stops. */
    private static void serveBlackHole() {
        while (!blackHole.isClosed()) {
            try {
                accepted.add(blackHole.accept());
            } catch (IOException e) {
                return;
            }
        }
    }

    private static Socket socksTo(int port) throws Exception {
        Socket s = socksGreeted(proxy.socksAddress());
        s.setSoTimeout(30_000);
        var reply = socksCommand(s, 1, ATYP_IPV4, TARGET.getAddress(), port);
        assertThat(reply.rep()).as("SOCKS reply").isZero();
        return s;
    }

    /** One live upload of {@code n} pattern bytes to the sink; returns its time in ms, checked byte-exact. */
    private static long liveUpload(long n) throws Exception {
        long t0 = System.nanoTime();
        try (Socket s = socksTo(sink.getLocalPort())) {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[64 << 10];
            for (long off = 0; off < n; off += chunk.length) {
                int len = (int) Math.min(chunk.length, n - off);
                HttpOrigin.pattern(off, chunk, 0, len);
                out.write(chunk, 0, len);
            }
            s.shutdownOutput(); // the sink answers at the end of the stream
            String answer =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(answer)
                    .as("sink's count and digest")
                    .isEqualTo(n + " " + HexFormat.of().formatHex(HttpOrigin.patternSha256(n)));
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Waits (at most 60 s) until the proxy's upload counter stops growing; returns its growth. */
    private static long settle() throws InterruptedException {
        long start = proxy.stats().bytesUp();
        long last = start;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            long now = proxy.stats().bytesUp();
            if (now - last < (256 << 10)) {
                return now - start;
            }
            last = now;
        }
        return last - start;
    }

    /**
     * The budget holds: no more uploads counted as stalled at the egress than it has room for, and
     * every stalled upload is still open or was reset for the budget, none lost otherwise.
     */
    private static void assertStalledFlowsOpen() {
        assertThat(egressMetric("masque_egress_stalled_uploads "))
                .as("uploads the egress counts as stalled, against the budget's room")
                .isLessThanOrEqualTo(ROOM);
        assertThat(relays.egress().metrics().tunnels() + resets())
                .as("stalled uploads open or reset for the budget")
                .isEqualTo(STALLED);
        assertThat(relays.egress().metrics().tunnels())
                .as("stalled uploads open beside the live one")
                .isGreaterThanOrEqualTo(ROOM - 1); // one more is reset if the live upload pauses a while
    }

    private static double resets() {
        return egressMetric("masque_egress_stalled_uploads_reset ");
    }

    /** Bytes the egress's relays read from the inner streams so far. */
    private static long egressReadUp() {
        return (long) egressMetric("masque_egress_bytes_total{direction=\"upstream\"");
    }

    private static double egressMetric(String lineStart) {
        for (String line : relays.egress().scrapeMetrics().split("\n", -1)) {
            if (line.startsWith(lineStart)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(lineStart + " not in /metrics");
    }

    /** This JVM's resident memory in KiB (it runs the proxy, both relays and the targets). */
    private static long rssKib() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Test
    void uploadsToTargetsThatDoNotReadStopOnlyTheirOwnFlows() throws Exception {
        liveUpload(LIVE_BODY); // warm-up: JIT, the relay connections, congestion windows
        long baseline = Math.min(liveUpload(LIVE_BODY), liveUpload(LIVE_BODY));
        List<Socket> stalled = new ArrayList<>();
        AtomicInteger failedWriters = new AtomicInteger();
        long rss0 = rssKib();
        long egress0 = egressReadUp();
        long proxy0 = proxy.stats().bytesUp();
        try {
            for (int i = 0; i < STALLED; i++) {
                Socket s = socksTo(blackHole.getLocalPort());
                s.setSendBufferSize(64 << 10);
                stalled.add(s);
                // Writes until every buffer toward the black hole is full, then blocks until closed.
                daemon("stalled-upload-" + i, () -> {
                    byte[] chunk = new byte[64 << 10];
                    try {
                        OutputStream out = s.getOutputStream();
                        for (long off = 0; ; off += chunk.length) {
                            HttpOrigin.pattern(off, chunk);
                            out.write(chunk);
                        }
                    } catch (IOException e) {
                        if (!s.isClosed()) { // not closed by the test: reset by the egress's budget
                            failedWriters.incrementAndGet();
                        }
                    }
                });
            }
            settle();
            long held = proxy.stats().bytesUp() - proxy0;
            long atEgress = egressReadUp() - egress0;
            System.out.printf(
                    "UploadStallIT: %d stalled uploads took %d KiB from their senders, %d KiB of it read by the egress's"
                            + " relays (%d KiB each), the rest in QUIC between them; the JVM's RSS grew by %d MiB; %.0f stalled at the egress's relay, %.0f"
                            + " reset by its budget%n",
                    STALLED,
                    held >> 10,
                    atEgress >> 10,
                    (atEgress / STALLED) >> 10,
                    (rssKib() - rss0) >> 10,
                    egressMetric("masque_egress_stalled_uploads "),
                    resets());
            assertStalledFlowsOpen();
            long newRequest0 = System.nanoTime();
            socksTo(sink.getLocalPort()).close(); // answered: socksTo asserted the success reply
            long newRequest = (System.nanoTime() - newRequest0) / 1_000_000;
            long during = Math.min(liveUpload(LIVE_BODY), liveUpload(LIVE_BODY));
            long bar = Math.max(2 * baseline, FLOOR_MILLIS);
            System.out.printf(
                    "UploadStallIT: live %d MiB upload alone %d ms, beside %d stalled uploads %d ms (bar %d ms);"
                            + " new SOCKS request answered in %d ms%n",
                    LIVE_BODY >> 20, baseline, STALLED, during, bar, newRequest);
            assertStalledFlowsOpen(); // the live uploads ran beside them, not after they failed
            // A reset upload fails at once for its local application (an RST), it does not hang.
            LoopbackRelays.await(() -> failedWriters.get() == (int) resets(), "a failed write per reset upload");
            assertThat(during)
                    .as("live upload beside %d stalled ones, against 2x its %d ms alone", STALLED, baseline)
                    .isLessThanOrEqualTo(bar);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }
}
