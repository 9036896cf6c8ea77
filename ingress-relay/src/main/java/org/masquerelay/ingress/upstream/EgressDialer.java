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
package org.masquerelay.ingress.upstream;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IoTransport;
import org.masquerelay.ingress.forwarding.ForwardingSession;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.TunnelMetrics;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.server.UdpSockets;
import org.masquerelay.server.Upstream;

/**
 * Opens the ingress's side toward an egress relay: one connected UDP socket per tunnel, from the
 * ingress's own address (docs/architecture.md §3), registered on the stream's event loop so the
 * data path never crosses threads. The socket carries the tunnel's payloads as they are; the
 * ingress never looks inside them.
 */
public final class EgressDialer {
    private final Duration idleTimeout;
    private final TunnelMetrics metrics;

    /**
     * @param idleTimeout a tunnel with no datagram either way for this long is closed
     */
    public EgressDialer(Duration idleTimeout, TunnelMetrics metrics) {
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
    }

    /**
     * Connects a new UDP socket to {@code egress}. Completes with the tunnel's upstream, or fails
     * with {@code proxy_internal_error} after closing the socket. With {@code forwarding}, the
     * tunnel's packets may also move in forwarded mode (docs/quic-forwarding.md).
     */
    public Future<Upstream> open(Channel stream, InetSocketAddress egress, @Nullable ForwardingSession forwarding) {
        Promise<Upstream> result = stream.eventLoop().newPromise();
        UdpSocketBridge bridge = UdpSocketBridge.forStream(stream, metrics);
        if (forwarding != null) {
            bridge.diverter(forwarding);
        }
        Channel udp = UdpSockets.tune(bridge.bootstrap(IoTransport.current().datagramChannel(), idleTimeout))
                .register()
                .channel();
        udp.connect(egress).addListener(f -> {
            if (f.isSuccess()) {
                if (forwarding != null) {
                    forwarding.attach(bridge, udp);
                }
                result.setSuccess(Upstream.udp(bridge, udp));
            } else {
                udp.close();
                result.setFailure(new RelayException(
                        ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL, "cannot open socket to egress", f.cause()));
            }
        });
        return result;
    }
}
