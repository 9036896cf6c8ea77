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
package org.masquerelay.egress.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IoTransport;
import org.masquerelay.pool.City;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;
import org.masquerelay.protocol.tunnel.TunnelMetrics;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.server.UdpSockets;
import org.masquerelay.server.Upstream;

/**
 * Opens the egress's side toward a target, from the source address the selector picks for the
 * inner connection and the request's city (docs/architecture.md §4): TCP with Happy Eyeballs
 * (RFC 8305) over the permitted addresses, or one connected UDP socket. It binds, dials, and
 * reports the flow open (an {@link Upstream}) or failed (a {@link RelayException}); it never
 * writes to the stream.
 */
public final class TargetDialer {
    private final HappyEyeballsConnector connector;
    private final EventLoopGroup tcpGroup;
    private final SourceAddressSelector sources;
    private final Duration udpIdleTimeout;
    private final TunnelMetrics metrics;
    private final int stalledUploadsPerConnection;
    private final StalledUploads.Counts stalledUploadCounts;

    /**
     * @param tcpGroup where TCP sockets live (NIO: docs/netty.md trap 7)
     * @param udpIdleTimeout a UDP flow with no datagram either way for this long is closed
     * @param stalledUploadsPerConnection uploads whose targets stopped reading one inner connection
     *     may hold at once ({@link StalledUploads})
     * @param stalledUploadCounts the relay's counts of stalled and reset uploads
     */
    public TargetDialer(
            HappyEyeballsConnector connector,
            EventLoopGroup tcpGroup,
            SourceAddressSelector sources,
            Duration udpIdleTimeout,
            TunnelMetrics metrics,
            int stalledUploadsPerConnection,
            StalledUploads.Counts stalledUploadCounts) {
        this.connector = connector;
        this.tcpGroup = tcpGroup;
        this.sources = sources;
        this.udpIdleTimeout = udpIdleTimeout;
        this.metrics = metrics;
        this.stalledUploadsPerConnection = stalledUploadsPerConnection;
        this.stalledUploadCounts = stalledUploadCounts;
    }

    /** Whether a source address of {@code target}'s family exists for {@code city}. */
    public boolean routable(@Nullable City city, InetAddress target) {
        return sources.supports(city, target.getAddress().length == 16);
    }

    /**
     * Dials {@code port} on {@code addresses} (interleaved, RFC 8305 §4) with Happy Eyeballs.
     *
     * @param connectionKey the inner connection's random key: one connection keeps one source
     */
    public Future<Upstream> dialTcp(
            QuicStreamChannel stream,
            byte[] connectionKey,
            @Nullable City city,
            List<InetAddress> addresses,
            int port) {
        Promise<Upstream> result = stream.eventLoop().newPromise();
        connector
                .connect(tcpGroup.next(), addresses, port, (target, v6) -> sources.select(connectionKey, city, v6))
                .addListener((Future<Channel> f) -> {
                    if (!f.isSuccess()) {
                        result.setFailure(f.cause());
                        return;
                    }
                    Channel tcp = f.getNow();
                    StalledUploads stalled =
                            StalledUploads.of(stream.parent(), stalledUploadsPerConnection, stalledUploadCounts);
                    if (!result.trySuccess(Upstream.tcp(
                            tcp,
                            ctx -> stalled.watch(
                                    ByteStreamRelay.start(stream, ctx.name(), tcp, metrics, stalled.listener()))))) {
                        tcp.close();
                    }
                });
        return result;
    }

    /** Binds a UDP socket to the source address and connects it to the first of {@code addresses}. */
    public Future<Upstream> openUdp(
            QuicStreamChannel stream,
            byte[] connectionKey,
            @Nullable City city,
            List<InetAddress> addresses,
            int port) {
        Promise<Upstream> result = stream.eventLoop().newPromise();
        InetAddress target = addresses.get(0); // interleaved: IPv6 first when permitted
        Optional<InetAddress> local = sources.select(connectionKey, city, target.getAddress().length == 16);
        UdpSocketBridge bridge = UdpSocketBridge.forStream(stream, metrics);
        Channel udp = UdpSockets.tune(bridge.bootstrap(IoTransport.current().datagramChannel(), udpIdleTimeout))
                .register()
                .channel();
        udp.bind(new InetSocketAddress(local.orElse(null), 0)).addListener(b -> {
            if (!b.isSuccess()) {
                udp.close();
                result.setFailure(new RelayException(
                        ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL, "cannot bind source address", b.cause()));
                return;
            }
            udp.connect(new InetSocketAddress(target, port)).addListener(c -> {
                if (c.isSuccess()) {
                    result.setSuccess(Upstream.udp(bridge, udp));
                } else {
                    udp.close();
                    result.setFailure(new RelayException(
                            ProxyErrorType.DESTINATION_IP_UNROUTABLE, Side.UPSTREAM, null, c.cause()));
                }
            });
        });
        return result;
    }
}
