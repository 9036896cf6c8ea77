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
package org.masquerelay.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.masquerelay.config.IoTransport;
import org.masquerelay.protocol.tunnel.Http2StreamBridge;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;

/**
 * The client's outer connection to the ingress over HTTP/2 (TLS on TCP, ALPN {@code h2}): the
 * fallback for networks that block UDP (docs/architecture.md §3.6). The tunnel is
 * the same connect-udp request as over HTTP/3, an extended CONNECT (RFC 8441 §4, RFC 9298 §3.3)
 * whose stream carries the inner QUIC packets in DATAGRAM capsules (RFC 9297 §3.5); the inner
 * connection to the egress does not change.
 *
 * <p>{@link #connect} completes once TLS chose {@code h2} and the ingress's SETTINGS allow
 * extended CONNECT (RFC 8441 §3: a client must not send one before). Each stream gets an {@link
 * Http2StreamBridge}, so the request and tunnel handlers are the ones HTTP/3 uses.
 */
final class Http2Outer {
    /** Stream and connection windows the client grants: the download direction of a tunnel. */
    static final int STREAM_WINDOW = 4 << 20;

    static final int CONNECTION_WINDOW = 16 << 20;

    private static final AttributeKey<Boolean> GOAWAY = AttributeKey.valueOf(Http2Outer.class, "goaway");

    private Http2Outer() {}

    /**
     * Connects to {@code address}, checking the certificate for {@code serverName}; completes with
     * the TCP channel once it can carry extended CONNECT requests.
     */
    static CompletableFuture<Channel> connect(
            EventLoop loop, InetSocketAddress address, String serverName, SslContext tls, int connectTimeoutMillis) {
        CompletableFuture<Channel> up = new CompletableFuture<>();
        Http2Settings settings = Http2Settings.defaultSettings()
                .initialWindowSize(STREAM_WINDOW)
                .maxHeaderListSize(PeerSettingsHandler.MAX_FIELD_SECTION_SIZE)
                .pushEnabled(false);
        new Bootstrap()
                .group(loop)
                .channel(IoTransport.current().socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler ssl = tls.newHandler(ch.alloc(), serverName, address.getPort());
                        ssl.setHandshakeTimeoutMillis(connectTimeoutMillis);
                        ch.pipeline()
                                .addLast(ssl)
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        .initialSettings(settings)
                                        .validateHeaders(true)
                                        .build())
                                // Streams are all ours; the ingress opens none (no push).
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new Watcher(up, ssl));
                    }
                })
                .connect(address)
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        up.completeExceptionally(f.cause());
                    }
                });
        return up;
    }

    /** True once the ingress sent GOAWAY on {@code tcp} (RFC 9113 §6.8): no new streams there. */
    static boolean goingAway(Channel tcp) {
        return Boolean.TRUE.equals(tcp.attr(GOAWAY).get());
    }

    /** Opens a new stream on {@code tcp}: an {@link Http2StreamBridge}, then {@code handler}. */
    static Future<Http2StreamChannel> openStream(Channel tcp, ChannelHandler handler) {
        return new Http2StreamChannelBootstrap(tcp)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new Http2StreamBridge(), handler);
                    }
                })
                .open();
    }

    /** Completes {@code up} when the connection can serve extended CONNECT; notes GOAWAY. */
    private static final class Watcher extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Channel> up;
        private final SslHandler ssl;

        Watcher(CompletableFuture<Channel> up, SslHandler ssl) {
            this.up = up;
            this.ssl = ssl;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                String alpn = ssl.applicationProtocol();
                if (!ApplicationProtocolNames.HTTP_2.equals(alpn)) {
                    fail(ctx, new IOException("the ingress did not choose HTTP/2 in TLS (ALPN: " + alpn + ")"));
                    return;
                }
                // 64 KiB before any WINDOW_UPDATE (RFC 9113 §6.9.2); SETTINGS cannot raise it.
                ctx.writeAndFlush(
                        new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2SettingsFrame s && !up.isDone()) {
                    if (Boolean.TRUE.equals(s.settings().connectProtocolEnabled())) {
                        up.complete(ctx.channel());
                    } else {
                        fail(
                                ctx,
                                new IOException("the ingress's HTTP/2 listener does not allow extended CONNECT"
                                        + " (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441 §3)"));
                    }
                } else if (msg instanceof Http2GoAwayFrame) {
                    ctx.channel().attr(GOAWAY).set(true);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            up.completeExceptionally(new IOException("the ingress closed the HTTP/2 connection"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            up.completeExceptionally(cause);
            ctx.close();
        }
    }
}
