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
import static org.masquerelay.it.LoopbackRelays.fetchExact;

import io.netty.channel.IoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.config.IoTransport;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * Both relays and the client on Netty's NIO transport ({@code -Dmasque.io=nio}), as on a host
 * where epoll does not load (macOS, Windows): a two-hop transfer, forwarded by default, is
 * byte-exact. One event loop per relay: {@code SO_REUSEPORT} is epoll-only here.
 */
class NioTransportIT {
    @Test
    void twoHopsOnNioAreByteExact(@TempDir Path dir) throws Exception {
        String before = System.getProperty(IoTransport.PROPERTY);
        System.setProperty(IoTransport.PROPERTY, "nio");
        try (HttpOrigin origin = new HttpOrigin(new java.net.InetSocketAddress(LoopbackRelays.TARGET, 0))) {
            assertThat(IoTransport.current()).isEqualTo(IoTransport.NIO);
            LoopbackDeployment.write(
                    dir, LoopbackDeployment.Ports.free(), List.of(LoopbackRelays.EGRESS_SOURCE.getHostAddress()));
            try (EgressServer egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")), 1);
                    IngressServer ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")), 1);
                    MasqueClient client =
                            new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT)) {
                assertThat(((IoEventLoop) client.eventLoop()).isIoType(NioIoHandler.class))
                        .as("the client's event loop runs on NIO")
                        .isTrue();
                fetchExact(client, origin, 8L << 20);
                assertThat(client.forwardedPackets(false)).isPositive();
            }
        } finally {
            if (before == null) {
                System.clearProperty(IoTransport.PROPERTY);
            } else {
                System.setProperty(IoTransport.PROPERTY, before);
            }
        }
    }
}
