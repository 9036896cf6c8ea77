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

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLParameters;

/**
 * Fetches one {@code http://} or {@code https://} URL through both hops: a CONNECT stream to the
 * target, then HTTP/1.1 on it, with TLS end to end with the target for https (the egress sees
 * only ciphertext). The body streams to an {@link OutputStream}.
 */
public final class HttpFetcher {
    /** Outcome of a fetch. */
    public record Result(int status, long bodyBytes, long nanos) {}

    private HttpFetcher() {}

    public static CompletableFuture<Result> fetch(MasqueClient client, URI uri, OutputStream body, boolean insecure) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("only http:// and https:// URLs"));
        }
        if (uri.getHost() == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("URL has no host"));
        }
        boolean tls = scheme.equals("https");
        String host = uri.getHost().startsWith("[")
                ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        SslContext ssl;
        try {
            ssl = tls
                    ? (insecure
                                    ? SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                                    : SslContextBuilder.forClient())
                            .build()
                    : null;
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        long start = System.nanoTime();
        CompletableFuture<Result> result = new CompletableFuture<>();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String target = path;
        client.openTcp(host, port, stream -> {
                    stream.pipeline().addLast(new DataFrameCodec());
                    if (ssl != null) {
                        var engine = ssl.newHandler(stream.alloc(), host, port);
                        SSLParameters p = engine.engine().getSSLParameters();
                        if (!insecure) {
                            p.setEndpointIdentificationAlgorithm("HTTPS");
                        }
                        engine.engine().setSSLParameters(p);
                        stream.pipeline().addLast(engine);
                    }
                    stream.pipeline().addLast(new HttpClientCodec());
                    stream.pipeline().addLast(new ResponseHandler(body, start, result));
                    DefaultFullHttpRequest req =
                            new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
                    String hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                            + ((tls && port == 443) || (!tls && port == 80) ? "" : ":" + port);
                    req.headers().set(HttpHeaderNames.HOST, hostHeader);
                    req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    req.headers().set(HttpHeaderNames.USER_AGENT, "masque-fetch/0.1");
                    stream.writeAndFlush(req);
                })
                .exceptionally(e -> {
                    result.completeExceptionally(e);
                    return null;
                });
        return result;
    }

    /**
     * HTTP/3 DATA frames in, bytes out, and the reverse: the CONNECT stream (RFC 9114 §4.4) as a
     * byte pipe, so an HTTP/1.1 codec can run on it. Not sharable.
     */
    public static final class DataFrameCodec extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http3DataFrame frame) {
                ctx.fireChannelRead(frame.content());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf) {
                ctx.write(new DefaultHttp3DataFrame(buf), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final OutputStream body;
        private final long start;
        private final CompletableFuture<Result> result;
        private int status;
        private long bytes;

        ResponseHandler(OutputStream body, long start, CompletableFuture<Result> result) {
            this.body = body;
            this.start = start;
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
            }
            if (msg instanceof HttpContent c) {
                ByteBuf b = c.content();
                bytes += b.readableBytes();
                try {
                    b.readBytes(body, b.readableBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (msg instanceof LastHttpContent) {
                result.complete(new Result(status, bytes, System.nanoTime() - start));
                ((QuicStreamChannel) ctx.channel()).close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IOException("connection closed before the response ended"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
