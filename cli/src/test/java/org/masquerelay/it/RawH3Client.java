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

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;

/**
 * A bare HTTP/3 client that sends whatever a test tells it to: raw DATAGRAM frames, raw DATA
 * bytes on a request stream, any header fields. It plays the hostile peer; it trusts any
 * certificate because it attacks the relay rather than protecting a user.
 */
final class RawH3Client implements AutoCloseable {
    final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final Channel udp;
    final QuicChannel quic;
    final CompletableFuture<QuicConnectionCloseEvent> closed = new CompletableFuture<>();
    final CompletableFuture<Integer> maxDatagram = new CompletableFuture<>();
    /** Payloads of the DATAGRAM frames received, copied. */
    final BlockingQueue<byte[]> datagrams = new LinkedBlockingQueue<>();

    RawH3Client(InetSocketAddress server, InetAddress bind) throws Exception {
        this(server, bind, 20_000);
    }

    RawH3Client(InetSocketAddress server, InetAddress bind, int connectTimeoutMillis) throws Exception {
        QuicSslContext tls = QuicSslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(Http3.supportedApplicationProtocols())
                .build();
        udp = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(Http3.newQuicClientCodecBuilder()
                        .sslEngineProvider(q -> tls.newEngine(q.alloc(), "localhost", server.getPort()))
                        .maxIdleTimeout(20, TimeUnit.SECONDS)
                        .initialMaxData(16 << 20)
                        .initialMaxStreamDataBidirectionalLocal(1 << 20)
                        .initialMaxStreamsUnidirectional(8)
                        .maxSendUdpPayloadSize(1452)
                        .maxRecvUdpPayloadSize(1452)
                        .datagram(1024, 1024)
                        .build())
                .bind(new InetSocketAddress(bind, 0))
                .sync()
                .channel();
        quic = QuicChannel.newBootstrap(udp)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof ByteBuf b) {
                                    datagrams.add(ByteBufUtil.getBytes(b));
                                    b.release();
                                } else {
                                    ctx.fireChannelRead(msg);
                                }
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof QuicDatagramExtensionEvent e) {
                                    maxDatagram.complete(e.maxLength());
                                } else if (evt instanceof QuicConnectionCloseEvent e) {
                                    closed.complete(e);
                                }
                                ctx.fireUserEventTriggered(evt);
                            }
                        });
                        ch.pipeline()
                                .addLast(new Http3ClientConnectionHandler(
                                        new PeerSettingsHandler(),
                                        null,
                                        null,
                                        PeerSettingsHandler.localMasqueSettings(),
                                        true));
                    }
                })
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .remoteAddress(server)
                .connect()
                .get(connectTimeoutMillis + 5000L, TimeUnit.MILLISECONDS);
        PeerSettingsHandler.peerSettings(quic).get(20, TimeUnit.SECONDS);
    }

    /**
     * The first datagrams of {@code n} real QUIC connection attempts to {@code server}: {@code n}
     * Initials with the TLS ClientHello, each with a connection id of its own, captured before
     * they leave; nothing is sent.
     */
    static java.util.List<byte[]> initials(InetSocketAddress server, int n) throws Exception {
        BlockingQueue<byte[]> captured = new LinkedBlockingQueue<>();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            QuicSslContext tls = QuicSslContextBuilder.forClient()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocols(Http3.supportedApplicationProtocols())
                    .build();
            Channel udp = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new io.netty.channel.ChannelOutboundHandlerAdapter() {
                                @Override
                                public void write(
                                        ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                                    if (msg instanceof io.netty.channel.socket.DatagramPacket d) {
                                        captured.add(ByteBufUtil.getBytes(d.content()));
                                    }
                                    io.netty.util.ReferenceCountUtil.release(msg);
                                    p.setSuccess(); // swallowed: the capture sends nothing
                                }
                            });
                            ch.pipeline()
                                    .addLast(Http3.newQuicClientCodecBuilder()
                                            .sslEngineProvider(
                                                    q -> tls.newEngine(q.alloc(), "localhost", server.getPort()))
                                            .maxIdleTimeout(5, TimeUnit.SECONDS)
                                            .initialMaxData(1 << 20)
                                            .build());
                        }
                    })
                    .bind(new InetSocketAddress(server.getAddress(), 0))
                    .sync()
                    .channel();
            java.util.List<byte[]> out = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                QuicChannel.newBootstrap(udp)
                        .handler(new ChannelInboundHandlerAdapter())
                        .remoteAddress(server)
                        .connect();
                byte[] packet = captured.poll(10, TimeUnit.SECONDS);
                if (packet == null) {
                    throw new AssertionError("no Initial captured");
                }
                out.add(packet);
                captured.clear(); // anything else is a retransmission
            }
            udp.close().sync();
            return out;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** One request stream and what came back on it. */
    static final class Request extends Http3RequestStreamInboundHandler {
        final CompletableFuture<Http3Headers> response = new CompletableFuture<>();
        final CompletableFuture<Long> reset = new CompletableFuture<>();
        final BlockingQueue<byte[]> data = new LinkedBlockingQueue<>();
        /** Completes when the peer's FIN arrives, after every DATA frame before it. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        QuicStreamChannel stream;

        @Override
        protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
            response.complete(frame.headers());
        }

        @Override
        protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
            data.add(ByteBufUtil.getBytes(frame.content()));
            frame.release();
        }

        @Override
        protected void channelInputClosed(ChannelHandlerContext ctx) {
            response.completeExceptionally(new IllegalStateException("closed before a response"));
            ended.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof QuicStreamResetException r) {
                    reset.complete(r.applicationProtocolCode());
                }
            }
            response.completeExceptionally(cause);
            ended.completeExceptionally(cause);
        }

        int status() throws Exception {
            return Integer.parseInt(response.get(20, TimeUnit.SECONDS).status().toString());
        }

        String proxyStatus() throws Exception {
            CharSequence v = response.get(20, TimeUnit.SECONDS).get("proxy-status");
            return v == null ? null : v.toString();
        }

        /** Writes raw bytes as one DATA frame (for capsules). */
        void writeData(byte[] bytes) {
            stream.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(bytes)));
        }

        /** Everything received on the stream up to the peer's FIN, concatenated. */
        byte[] body(long timeoutSeconds) throws Exception {
            ended.get(timeoutSeconds, TimeUnit.SECONDS);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] b; (b = data.poll()) != null; ) {
                out.writeBytes(b);
            }
            return out.toByteArray();
        }
    }

    Request request(Http3Headers headers) throws Exception {
        Request r = new Request();
        r.stream = Http3.newRequestStream(quic, r).get(10, TimeUnit.SECONDS);
        r.stream.writeAndFlush(new DefaultHttp3HeadersFrame(headers));
        return r;
    }

    /**
     * A request whose HEADERS and first DATA leave in one flush, so that the DATA reaches the
     * relay before its response can; {@code fin} half-closes the stream after them.
     */
    Request requestWithData(Http3Headers headers, byte[] data, boolean fin) throws Exception {
        Request r = new Request();
        r.stream = Http3.newRequestStream(quic, r).get(10, TimeUnit.SECONDS);
        r.stream
                .eventLoop()
                .submit(() -> {
                    r.stream.write(new DefaultHttp3HeadersFrame(headers));
                    var written = r.stream.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(data)));
                    if (fin) {
                        // FIN from the write's listener, never before it (docs/netty.md trap 1).
                        written.addListener(f -> r.stream.shutdownOutput());
                    }
                })
                .sync();
        return r;
    }

    static Http3Headers connectUdp(String authority, String path) {
        Http3Headers h = new DefaultHttp3Headers()
                .method("CONNECT")
                .protocol("connect-udp")
                .scheme("https")
                .authority(authority)
                .path(path);
        h.set("capsule-protocol", "?1");
        return h;
    }

    /** Sends one raw QUIC DATAGRAM frame payload. */
    void datagram(byte[] payload) throws Exception {
        maxDatagram.get(10, TimeUnit.SECONDS);
        quic.writeAndFlush(Unpooled.wrappedBuffer(payload)).sync();
    }

    @Override
    public void close() {
        if (quic != null) {
            // Let the CONNECTION_CLOSE leave before the socket goes, so the server frees the
            // connection now rather than at its idle timeout.
            quic.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        udp.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        datagrams.clear();
    }
}
