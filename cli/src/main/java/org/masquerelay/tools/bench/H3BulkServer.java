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
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.masquerelay.config.IoTransport;
import org.masquerelay.server.RelayQuic;
import org.masquerelay.server.UdpSockets;

/**
 * A plain HTTP/3 server that answers {@code GET /bytes/N} with N bytes, on the relays' own QUIC
 * server settings ({@link RelayQuic}): the ceiling a relay hop is compared with. Its event loop
 * is named {@code h3-origin}, so the bench accounts for it apart from the hops.
 */
public final class H3BulkServer implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;

    private final MultiThreadIoEventLoopGroup group;
    private final Channel socket;

    /**
     * @param maxUdpPayload packet size, the same as the inner connection's so the arms compare
     *     like with like
     */
    public H3BulkServer(InetSocketAddress listen, Path privateKey, Path certificate, int maxUdpPayload)
            throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("h3-origin"), IoTransport.current().handlerFactory());
        var codec = RelayQuic.serverCodec(RelayQuic.serverTls(privateKey, certificate))
                .maxSendUdpPayloadSize(maxUdpPayload)
                .maxRecvUdpPayloadSize(maxUdpPayload)
                .initialMaxStreamsBidirectional(100)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline()
                                .addLast(new Http3ServerConnectionHandler(new ChannelInitializer<QuicStreamChannel>() {
                                    @Override
                                    protected void initChannel(QuicStreamChannel stream) {
                                        stream.pipeline().addLast(new BytesHandler());
                                    }
                                }));
                    }
                })
                .build();
        socket = UdpSockets.tune(new Bootstrap())
                .group(group)
                .handler(codec)
                .bind(listen)
                .sync()
                .channel();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.localAddress();
    }

    @Override
    public void close() {
        socket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One request: {@code GET /bytes/N}, written as the stream drains (read-after-write backpressure). */
    private static final class BytesHandler extends Http3RequestStreamInboundHandler {
        private long remaining = -1;

        @Override
        protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
            CharSequence path = frame.headers().path();
            String p = path == null ? "" : path.toString();
            if (remaining >= 0
                    || !"GET".contentEquals(String.valueOf(frame.headers().method()))
                    || !p.startsWith("/bytes/")) {
                reply(ctx, "404");
                return;
            }
            try {
                remaining = Long.parseLong(p.substring("/bytes/".length()));
            } catch (NumberFormatException e) {
                remaining = -1;
            }
            if (remaining < 0) {
                reply(ctx, "400");
                return;
            }
            ctx.write(new DefaultHttp3HeadersFrame(new DefaultHttp3Headers().status("200")));
            writeMore(ctx);
        }

        private static void reply(ChannelHandlerContext ctx, String status) {
            ctx.writeAndFlush(new DefaultHttp3HeadersFrame(new DefaultHttp3Headers().status(status)))
                    .addListener(f -> ((QuicStreamChannel) ctx.channel()).shutdownOutput());
        }

        private void writeMore(ChannelHandlerContext ctx) {
            ChannelFuture last = null;
            while (remaining > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK, remaining);
                ByteBuf b = ctx.alloc().directBuffer(n).writeZero(n);
                remaining -= n;
                last = ctx.write(new DefaultHttp3DataFrame(b));
            }
            ctx.flush();
            if (remaining == 0 && last != null) {
                remaining = -2; // done: FIN from the last write's listener (docs/netty.md trap 1)
                last.addListener(f -> ((QuicStreamChannel) ctx.channel()).shutdownOutput());
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (remaining > 0 && ctx.channel().isWritable()) {
                writeMore(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
            ReferenceCountUtil.release(frame);
        }

        @Override
        protected void channelInputClosed(ChannelHandlerContext ctx) {}
    }
}
