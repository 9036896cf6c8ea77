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
package org.masquerelay.tools.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.masquerelay.config.IoTransport;
import org.masquerelay.server.UdpSockets;

/**
 * The plain HTTP/3 client of the bench's "one QUIC stream, no relay" arm: one connection to an
 * {@link H3BulkServer}, with the inner connection's packet size and flow-control windows, and
 * one {@code GET /bytes/N} per {@link #fetch}. It trusts any certificate: it only ever talks to
 * the bench's own server on loopback. Its event loop is named {@code masque-client}, like the
 * real client's, so the bench accounts for it as the client hop.
 */
public final class H3BulkClient implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group;
    private final Channel socket;
    private final QuicChannel connection;

    public H3BulkClient(InetSocketAddress server, int maxUdpPayload) throws Exception {
        group = new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("masque-client"),
                IoTransport.current().handlerFactory());
        QuicSslContext tls = QuicSslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(Http3.supportedApplicationProtocols())
                .build();
        var codec = Http3.newQuicClientCodecBuilder()
                .sslContext(tls)
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .maxSendUdpPayloadSize(maxUdpPayload)
                .maxRecvUdpPayloadSize(maxUdpPayload)
                .initialMaxData(32L << 20)
                .initialMaxStreamDataBidirectionalLocal(2L << 20)
                .initialMaxStreamDataBidirectionalRemote(2L << 20)
                .initialMaxStreamsBidirectional(16)
                .initialMaxStreamsUnidirectional(8)
                .build();
        socket = UdpSockets.tune(new Bootstrap())
                .group(group)
                .handler(codec)
                .bind(new InetSocketAddress(server.getAddress(), 0))
                .sync()
                .channel();
        connection = QuicChannel.newBootstrap(socket)
                .handler(new Http3ClientConnectionHandler())
                .remoteAddress(server)
                .connect()
                .get(10, TimeUnit.SECONDS);
    }

    /** Fetches {@code /bytes/n}; completes with the body's length and the nanoseconds it took. */
    public CompletableFuture<long[]> fetch(long n) {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        long[] got = new long[1];
        Http3.newRequestStream(connection, new Http3RequestStreamInboundHandler() {
                    @Override
                    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {}

                    @Override
                    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
                        got[0] += frame.content().readableBytes();
                        ReferenceCountUtil.release(frame);
                    }

                    @Override
                    protected void channelInputClosed(ChannelHandlerContext ctx) {
                        done.complete(new long[] {got[0], System.nanoTime() - t0});
                        ctx.close();
                    }
                })
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        done.completeExceptionally(f.cause());
                        return;
                    }
                    QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
                    stream.writeAndFlush(new DefaultHttp3HeadersFrame(new DefaultHttp3Headers()
                                    .method("GET")
                                    .scheme("https")
                                    .authority("bench")
                                    .path("/bytes/" + n)))
                            .addListener(w -> stream.shutdownOutput());
                });
        return done;
    }

    /** QUIC packets the connection sent and received so far. */
    public CompletableFuture<Long> packets() {
        CompletableFuture<Long> out = new CompletableFuture<>();
        connection.collectStats().addListener((Future<QuicConnectionStats> f) -> {
            if (f.isSuccess()) {
                out.complete(f.getNow().sent() + f.getNow().recv());
            } else {
                out.completeExceptionally(f.cause());
            }
        });
        return out;
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        socket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
