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
package org.masquerelay.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;

/**
 * The opened upstream side of a request: what {@link RelayRequestHandler#open} completes with.
 * The base handler counts {@link #channel()} as a tunnel until it closes, writes the 2xx with
 * {@link #responseHeaders()}, then calls {@link #start} to hand the stream to its data phase.
 *
 * @param channel the upstream socket (UDP toward the next hop, or TCP toward a target)
 * @param responseHeaders fields of the 2xx besides {@code :status}
 * @param start replaces the request handler, whose context it is given, with the data phase
 * @param kind names the tunnel in logs: {@code udp tunnel} or {@code tcp flow}
 * @param tunnel a connect-udp tunnel's data phase, which the base handler tells whether the
 *     request spoke the Capsule Protocol; null for a TCP flow
 */
public record Upstream(
        Channel channel,
        Http3Headers responseHeaders,
        Consumer<ChannelHandlerContext> start,
        String kind,
        @Nullable DatagramTunnelHandler tunnel) {

    /** An upstream without a connect-udp tunnel. */
    public Upstream(Channel channel, Http3Headers responseHeaders, Consumer<ChannelHandlerContext> start, String kind) {
        this(channel, responseHeaders, start, kind, null);
    }

    /**
     * A connect-udp tunnel joined to its connected socket by {@code bridge}: the 2xx carries
     * {@code capsule-protocol: ?1} (RFC 9298 §3.4, RFC 9297 §3.4) if the request did.
     */
    public static Upstream udp(UdpSocketBridge bridge, Channel socket) {
        Http3Headers h = new DefaultHttp3Headers();
        h.set("capsule-protocol", "?1");
        return new Upstream(socket, h, bridge::attach, "udp tunnel", bridge.tunnelHandler());
    }

    /** A TCP flow whose bytes {@code start} begins to relay (RFC 9114 §4.4). */
    public static Upstream tcp(Channel socket, Consumer<ChannelHandlerContext> start) {
        return new Upstream(socket, new DefaultHttp3Headers(), start, "tcp flow");
    }
}
