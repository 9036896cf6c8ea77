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
import static org.masquerelay.it.LocalProxyClient.readHead;
import static org.masquerelay.it.LocalProxyClient.send;
import static org.masquerelay.it.LocalProxyClient.sha256Of;
import static org.masquerelay.it.LocalProxyClient.socksCommand;
import static org.masquerelay.it.LocalProxyClient.socksGreeted;
import static org.masquerelay.it.LocalProxyClient.status;
import static org.masquerelay.it.LoopbackRelays.TARGET;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.proxy.ProxyConfig;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * Head-of-line stalls in proxy mode: local readers that stop reading may stall their own flows
 * only. 20 SOCKS5 flows download a large body and leave their sockets unread; a live flow through
 * the same proxy must still finish byte-exact within 2x of its own speed measured before the
 * stall, and a new SOCKS request must still be answered.
 */
class ProxyStallIT {
    static final int STALLED = 20;
    /** Far more than kernel buffers, the relay's high-water mark and any QUIC window can hold. */
    static final long STALLED_BODY = 256L << 20;

    static final long LIVE_BODY = 16L << 20;
    /**
     * The floor for the 2x bar: a baseline this short is mostly jitter on a shared 2-core machine,
     * while a head-of-line stall costs 10 s or more (the idle timeout), so a 1 s floor still tells them apart.
     */
    static final long FLOOR_MILLIS = 1_000;

    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = relays.startProxy(true, true, null, ProxyConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION);
    }

    private static Socket socksTo(int port) throws Exception {
        Socket s = socksGreeted(proxy.socksAddress());
        s.setSoTimeout(30_000);
        var reply = socksCommand(s, 1, ATYP_IPV4, TARGET.getAddress(), port);
        assertThat(reply.rep()).as("SOCKS reply").isZero();
        return s;
    }

    /** One live download of {@code n} bytes; returns its time in ms, checked byte-exact. */
    private static long liveDownload(long n) throws Exception {
        long t0 = System.nanoTime();
        try (Socket s = socksTo(relays.origin().localAddress().getPort())) {
            send(s, "GET /bytes/" + n + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
            assertThat(status(readHead(s.getInputStream()))).isEqualTo(200);
            assertThat(sha256Of(s.getInputStream(), n)).isEqualTo(HttpOrigin.patternSha256(n));
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Waits (at most 60 s) until the proxy's download counter stops growing; returns its growth. */
    private static long settle() throws InterruptedException {
        long start = proxy.stats().bytesDown();
        long last = start;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            long now = proxy.stats().bytesDown();
            if (now - last < (256 << 10)) {
                return now - start;
            }
            last = now;
        }
        return last - start;
    }

    @Test
    void stalledDownloadsStopOnlyTheirOwnFlows() throws Exception {
        liveDownload(LIVE_BODY); // warm-up: JIT, the relay connections, congestion windows
        long baseline = Math.min(liveDownload(LIVE_BODY), liveDownload(LIVE_BODY));
        List<Socket> stalled = new ArrayList<>();
        try {
            int port = relays.origin().localAddress().getPort();
            for (int i = 0; i < STALLED; i++) {
                Socket s = socksTo(port);
                s.setReceiveBufferSize(64 << 10);
                send(s, "GET /bytes/" + STALLED_BODY + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
                stalled.add(s); // never read again
            }
            // Until every stalled flow filled what it can hold (kernel buffers, the relay's
            // high-water mark, its QUIC stream window): then only the live flow moves bytes.
            long held = settle();
            System.out.printf(
                    "ProxyStallIT download: %d stalled flows hold %d MiB between them (%d KiB each)%n",
                    STALLED, held >> 20, (held / STALLED) >> 10);
            long newRequest0 = System.nanoTime();
            socksTo(port).close(); // answered: socksTo asserted the success reply
            long newRequest = (System.nanoTime() - newRequest0) / 1_000_000;
            // Best of two on both sides, so one scheduling hiccup on the shared machine does not
            // decide; a stall costs seconds to tens of seconds on every run.
            long during = Math.min(liveDownload(LIVE_BODY), liveDownload(LIVE_BODY));
            long bar = Math.max(2 * baseline, FLOOR_MILLIS);
            System.out.printf(
                    "ProxyStallIT download: live %d MiB alone %d ms, beside %d stalled flows %d ms (bar %d ms);"
                            + " new SOCKS request answered in %d ms%n",
                    LIVE_BODY >> 20, baseline, STALLED, during, bar, newRequest);
            assertThat(during)
                    .as("live flow beside %d stalled ones, against 2x its %d ms alone", STALLED, baseline)
                    .isLessThanOrEqualTo(bar);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }
}
