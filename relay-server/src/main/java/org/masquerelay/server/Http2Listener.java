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

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.masquerelay.config.IoTransport;
import org.masquerelay.protocol.tunnel.Http2StreamBridge;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;

/**
 * The ingress's second listener, for networks that block UDP: HTTP/2 over TLS on TCP (ALPN
 * {@code h2}), serving connect-udp as an extended CONNECT (RFC 8441 §4, RFC 9298 §3.3) whose
 * tunnel runs on DATAGRAM capsules (RFC 9297 §3.5). docs/architecture.md §3.6.
 *
 * <p>Nothing of the policy is here. Each stream gets an {@link Http2StreamBridge} and then the
 * same request handler as a QUIC stream, so tokens, the geo assertion, limits, metrics, drain
 * and Proxy-Status are one code path. Connections are admitted, counted and drained by the
 * relay's {@link RelayConnections}, against the same limits as QUIC connections, and get a GOAWAY
 * (RFC 9113 §6.8) when the relay drains.
 *
 * <p>Settings: {@code SETTINGS_ENABLE_CONNECT_PROTOCOL=1} (RFC 8441 §3), 4 MiB stream windows and
 * a 16 MiB connection window (HTTP/2's 64 KiB default would cap a tunnel at 64 KiB per round
 * trip), the header-section limit of the QUIC listener, and a stream limit. A connection silent
 * both ways for {@link #IDLE_TIMEOUT_SECONDS} is closed; an open tunnel is never that quiet, as
 * the tunnelled QUIC connection sends its keep-alives through it.
 */
public final class Http2Listener implements AutoCloseable {
    /** The stream window this listener grants (RFC 9113 §6.9.2). */
    static final int STREAM_WINDOW = 4 << 20;
    /** The connection window, raised from 64 KiB by a WINDOW_UPDATE on stream 0 (RFC 9113 §6.9). */
    static final int CONNECTION_WINDOW = 16 << 20;
    /** Silence after which a connection is closed. */
    static final int IDLE_TIMEOUT_SECONDS = 60;
    /** A TLS handshake that has not finished after this is dropped. */
    static final int HANDSHAKE_TIMEOUT_SECONDS = 10;

    private final Channel server;

    private Http2Listener(Channel server) {
        this.server = server;
    }

    /** TLS for the listener from the relay's PEM files, offering only {@code h2} (RFC 7301). */
    public static SslContext tls(Path privateKey, Path certificateChain) throws SSLException {
        return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        // A client that offers no h2 gets a fatal no_application_protocol alert.
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
    }

    /**
     * Binds the listener on {@code address}.
     *
     * @param maxStreams concurrent streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS)
     * @param requestHandler a new request handler for each stream
     */
    public static Http2Listener bind(
            EventLoopGroup group,
            InetSocketAddress address,
            SslContext tls,
            RelayConnections connections,
            long maxStreams,
            Supplier<ChannelHandler> requestHandler)
            throws InterruptedException {
        Http2Settings settings = Http2Settings.defaultSettings()
                .connectProtocolEnabled(true)
                .initialWindowSize(STREAM_WINDOW)
                .maxConcurrentStreams(maxStreams)
                .maxHeaderListSize(PeerSettingsHandler.MAX_FIELD_SECTION_SIZE);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(IoTransport.current().serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel tcp) {
                        if (!connections.acceptHttp2(tcp)) {
                            return;
                        }
                        var ssl = tls.newHandler(tcp.alloc());
                        ssl.setHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        tcp.pipeline()
                                .addLast(ssl)
                                .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                                .addLast(Http2FrameCodecBuilder.forServer()
                                        .initialSettings(settings)
                                        .validateHeaders(true)
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new Http2StreamBridge());
                                        stream.pipeline().addLast("ingress-request", requestHandler.get());
                                    }
                                }))
                                .addLast(new ConnectionEvents(connections))
                                .addLast(connections.peerFaults());
                    }
                });
        Channel server = b.bind(address).sync().channel();
        return new Http2Listener(server);
    }

    /** Raises the connection window, serves GOAWAY while draining, closes idle and faulty connections. */
    private static final class ConnectionEvents extends ChannelInboundHandlerAdapter {
        private final RelayConnections connections;
        private boolean started;

        ConnectionEvents(RelayConnections connections) {
            this.connections = connections;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                start(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            start(ctx);
            ctx.fireChannelActive();
        }

        private void start(ChannelHandlerContext ctx) {
            if (started) {
                return;
            }
            started = true;
            // 64 KiB before any WINDOW_UPDATE (RFC 9113 §6.9.2); SETTINGS cannot raise it.
            ctx.channel()
                    .writeAndFlush(
                            new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
            if (connections.draining()) {
                // Arrived while we drain: RFC 9113 §6.8, no stream will be served here.
                RelayConnections.sendHttp2GoAway(ctx.channel());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A peer's fault (a failed TLS handshake, a connection-level protocol error): logged
            // by the relay's peer-fault log, without a stack trace at INFO.
            ctx.fireExceptionCaught(cause);
            ctx.close();
        }
    }

    /** The bound TCP address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
