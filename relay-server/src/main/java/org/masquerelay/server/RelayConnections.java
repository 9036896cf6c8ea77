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
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http3.DefaultHttp3GoAwayFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.masquerelay.protocol.tunnel.HttpDatagramDemuxHandler;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QUIC connections a relay accepted, and their life: set-up (HTTP Datagram demux, HTTP/3
 * with MASQUE settings, one request handler per stream), admission, and graceful shutdown
 * (GOAWAY, drain with a deadline, close with H3_NO_ERROR). Shared by the ingress and the egress.
 * The ingress's HTTP/2 connections ({@link Http2Listener}) are admitted, counted and drained here
 * too, against the same limits.
 */
public final class RelayConnections {
    /** RFC 9114 §8.1. */
    public static final int H3_NO_ERROR = 0x100;
    /** RFC 9000 §20.1: "the server refused to accept a new connection" (a transport error). */
    public static final int CONNECTION_REFUSED = 0x02;

    private static final Logger log = LoggerFactory.getLogger(RelayConnections.class);

    private final ChannelGroup connections;
    private final RelayMetrics metrics;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private volatile boolean draining;
    /** Whether the codec offers QUIC DATAGRAM frames, and so SETTINGS_H3_DATAGRAM (RFC 9297 §2.1.1). */
    private boolean datagrams = true;
    /** Last on every connection: peer faults logged without flooding (docs/architecture.md §3.4). */
    private final PeerFaultLog peerFaults;

    public RelayConnections(String name, RelayMetrics metrics, int maxConnections) {
        this(name, metrics, maxConnections, Integer.MAX_VALUE);
    }

    /**
     * @param maxConnectionsPerAddress concurrent connections from one peer IP address (the
     *     ingress limits clients; the egress's peers are ingress relays, so it sets no limit)
     */
    public RelayConnections(String name, RelayMetrics metrics, int maxConnections, int maxConnectionsPerAddress) {
        this.connections = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
        this.metrics = metrics;
        this.maxConnections = maxConnections;
        this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        this.peerFaults = new PeerFaultLog(name.replace("-connections", ""));
    }

    /**
     * Whether connections negotiate QUIC DATAGRAM frames, as the codec was built ({@link
     * RelayQuic#serverCodec(io.netty.handler.codec.quic.QuicSslContext, boolean)}); default true.
     * Set before the first connection.
     */
    public RelayConnections datagrams(boolean on) {
        this.datagrams = on;
        return this;
    }

    /** True once shutdown began: new connections and new requests are refused. */
    public boolean draining() {
        return draining;
    }

    /**
     * Sets up a newly accepted connection. At the connection limit it is closed with
     * CONNECTION_REFUSED after its handshake; while draining it is served a GOAWAY. Each request stream allows half-closure (CONNECT needs it) and gets
     * a fresh handler from {@code requestHandler}, named {@code handlerName}.
     *
     * @return false when the connection was refused
     */
    public boolean accept(QuicChannel ch, String handlerName, Supplier<ChannelHandler> requestHandler) {
        if (connections.size() >= maxConnections) {
            refuse(ch, "max_connections");
            return false;
        }
        InetAddress peer = ch.remoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (peer != null) {
            if (perAddress.merge(peer, 1, Integer::sum) > maxConnectionsPerAddress) {
                release(peer);
                refuse(ch, "max_connections_per_address");
                return false;
            }
            ch.closeFuture().addListener(f -> release(peer));
        }
        connections.add(ch);
        metrics.connectionOpened();
        ch.closeFuture().addListener(f -> metrics.connectionClosed());
        ch.pipeline().addLast(new HttpDatagramDemuxHandler(metrics, datagrams));
        ch.pipeline()
                .addLast(new Http3ServerConnectionHandler(
                        new ChannelInitializer<QuicStreamChannel>() {
                            @Override
                            protected void initChannel(QuicStreamChannel stream) {
                                stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                                stream.pipeline().addLast(handlerName, requestHandler.get());
                            }
                        },
                        new PeerSettingsHandler(),
                        null,
                        PeerSettingsHandler.localMasqueSettings(datagrams),
                        true));
        if (draining) {
            // A client that arrives while we drain learns at once that it must go elsewhere:
            // GOAWAY with stream id 0 admits no request (RFC 9114 §5.2). Requests sent anyway
            // are refused with 503 by the request handlers.
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    ctx.fireChannelActive();
                    sendGoAway(ch, 0);
                }
            });
        }
        ch.pipeline().addLast(peerFaults);
        return true;
    }

    /**
     * Admits an HTTP/2 connection of the fallback listener ({@link Http2Listener}) against the
     * same limits as QUIC connections; a connection over a limit is closed at once. TCP's own
     * handshake has validated the address already.
     *
     * @return false when the connection was refused
     */
    boolean acceptHttp2(Channel tcp) {
        if (connections.size() >= maxConnections) {
            refuseTcp(tcp, "max_connections");
            return false;
        }
        InetAddress peer = tcp.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (peer != null) {
            if (perAddress.merge(peer, 1, Integer::sum) > maxConnectionsPerAddress) {
                release(peer);
                refuseTcp(tcp, "max_connections_per_address");
                return false;
            }
            tcp.closeFuture().addListener(f -> release(peer));
        }
        connections.add(tcp);
        metrics.connectionOpened();
        tcp.closeFuture().addListener(f -> metrics.connectionClosed());
        return true;
    }

    private void refuseTcp(Channel tcp, String reason) {
        metrics.connectionRefused(reason);
        log.debug("connection refused: {}", reason);
        tcp.close();
    }

    /**
     * GOAWAY on an HTTP/2 connection (RFC 9113 §6.8): streams already open finish, new ones are
     * refused, and Netty's codec closes the connection once the last stream has ended.
     */
    static void sendHttp2GoAway(Channel tcp) {
        if (tcp.isActive()) {
            tcp.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
    }

    private void release(InetAddress peer) {
        perAddress.computeIfPresent(peer, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Refuses a connection with CONNECTION_REFUSED right after its handshake: closing before
     * the handshake ends sends nothing the client acts on, so it would wait for its connect
     * timeout. Counted by {@code reason}.
     */
    private void refuse(QuicChannel ch, String reason) {
        metrics.connectionRefused(reason);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                log.debug("connection refused: {}", reason);
                ch.close(false, CONNECTION_REFUSED, ch.alloc().directBuffer(0));
            }
        });
        ch.pipeline().addLast(peerFaults);
    }

    private static void sendGoAway(QuicChannel ch, long streamId) {
        QuicStreamChannel control = Http3.getLocalControlStream(ch);
        if (control != null && control.isActive()) {
            control.writeAndFlush(new DefaultHttp3GoAwayFrame(streamId));
        }
    }

    /**
     * Starts shutdown: GOAWAY on every connection (RFC 9114 §5.2), then waits until no tunnel is
     * open or {@code deadline} passed. Call {@link #closeAll} afterwards.
     */
    public void drain(Duration deadline) {
        draining = true;
        connections.forEach(c -> {
            if (!(c instanceof QuicChannel qc)) {
                c.eventLoop().execute(() -> sendHttp2GoAway(c));
                return;
            }
            // The largest client bidi stream id signals intent to shut down (RFC 9114 §5.2);
            // streams already open finish, new requests are refused with 503.
            qc.eventLoop().execute(() -> sendGoAway(qc, (1L << 62) - 4));
        });
        long end = System.nanoTime() + deadline.toNanos();
        while (metrics.tunnels() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("drain finished with {} open tunnel(s) or flow(s) left", metrics.tunnels());
    }

    /** The relay's peer-fault log, the last handler of each connection. */
    ChannelHandler peerFaults() {
        return peerFaults;
    }

    /** Open connections from {@code peer}, including those still in their handshake. */
    public int connectionsFrom(InetAddress peer) {
        return perAddress.getOrDefault(peer, 0);
    }

    /** Open connections in all, including those still in their handshake. */
    public int size() {
        return connections.size();
    }

    /** The limit on open connections from one address. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** The limit on open connections. */
    public int maxConnections() {
        return maxConnections;
    }

    /** How many open connections each listening socket carries, keyed by the socket. */
    Map<Channel, Integer> perSocket() {
        Map<Channel, Integer> out = new HashMap<>();
        for (Channel c : connections) {
            Channel socket = c.parent();
            if (socket != null) {
                out.merge(socket, 1, Integer::sum);
            }
        }
        return out;
    }

    /** Closes every connection with H3_NO_ERROR and waits briefly for them to go. */
    public void closeAll() {
        draining = true;
        connections.forEach(c -> {
            if (c instanceof QuicChannel qc) {
                qc.close(true, H3_NO_ERROR, qc.alloc().directBuffer(0));
            } else {
                c.close();
            }
        });
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
