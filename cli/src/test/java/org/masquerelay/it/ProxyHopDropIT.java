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
import static org.masquerelay.it.LocalProxyClient.ATYP_IPV4;
import static org.masquerelay.it.LocalProxyClient.readHead;
import static org.masquerelay.it.LocalProxyClient.send;
import static org.masquerelay.it.LocalProxyClient.sha256Of;
import static org.masquerelay.it.LocalProxyClient.socksCommand;
import static org.masquerelay.it.LocalProxyClient.socksGreeted;
import static org.masquerelay.it.LocalProxyClient.status;
import static org.masquerelay.it.LoopbackRelays.TARGET;
import static org.masquerelay.it.LoopbackRelays.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.proxy.ClientPool;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * A hop dies under a running flow: the local flow must fail cleanly (its socket closed, not left
 * hanging), and once the hop is back a new flow must succeed on a fresh relay session.
 */
class ProxyHopDropIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    @Test
    void killingTheIngressFailsTheFlowAndANewFlowReconnectsAfterItsRestart() throws Exception {
        try (ProxyServer proxy = relays.startProxy(true, false, null, 100)) {
            ClientPool pool = proxy.pool();
            int port = relays.origin().localAddress().getPort();
            long n = 1L << 30; // far more than can pass before the ingress dies
            try (Socket s = socksGreeted(proxy.socksAddress())) {
                assertThat(socksCommand(s, 1, ATYP_IPV4, TARGET.getAddress(), port)
                                .rep())
                        .isZero();
                send(s, "GET /bytes/" + n + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
                InputStream in = s.getInputStream();
                assertThat(status(readHead(in))).isEqualTo(200);
                assertThat(in.readNBytes(1 << 20)).hasSize(1 << 20);
                relays.stopIngress();
                long t0 = System.nanoTime();
                s.setSoTimeout(20_000); // a hang would end here, as a SocketTimeoutException
                assertThatThrownBy(() -> drain(in))
                        .isInstanceOf(IOException.class)
                        .isNotInstanceOf(java.net.SocketTimeoutException.class);
                System.err.printf(
                        "hop drop: the local flow ended %.1f s after the ingress died%n",
                        (System.nanoTime() - t0) / 1e9);
            }
            await(() -> pool.activeStreams() == 0, "the dead flow's stream slot");

            relays.restartIngress();
            long reconnectsBefore = pool.reconnects();
            long m = 1L << 20;
            try (Socket s = socksGreeted(proxy.socksAddress())) {
                assertThat(socksCommand(s, 1, ATYP_IPV4, TARGET.getAddress(), port)
                                .rep())
                        .isZero();
                send(s, "GET /bytes/" + m + " HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
                InputStream in = s.getInputStream();
                assertThat(status(readHead(in))).isEqualTo(200);
                assertThat(sha256Of(in, m)).isEqualTo(HttpOrigin.patternSha256(m));
            }
            assertThat(pool.reconnects()).isEqualTo(reconnectsBefore + 1);
            assertThat(pool.clients())
                    .as("the same client reconnected; no new one")
                    .isEqualTo(1);
        }
    }

    /** Reads to the end; a reset or an early end of the 1 GiB body both mean the flow failed. */
    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (in.read(buf) >= 0) {
            // discard
        }
        throw new IOException("the stream ended early (clean close of a truncated body)");
    }
}
