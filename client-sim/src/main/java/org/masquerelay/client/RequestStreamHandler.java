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

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Client side of a CONNECT or connect-udp request until its response. On a 2xx it calls
 * {@code onOpen} on the event loop, before any later frame is read, so the caller can install
 * the data-phase handlers without a race, then removes itself. Any other final status fails the
 * future with a {@link ProxyResponseException}; interim 1xx responses are skipped.
 */
final class RequestStreamHandler<S extends Channel> extends Http3RequestStreamInboundHandler {
    /** The 2xx response's fields, set on the stream before {@code onOpen} runs. */
    static final AttributeKey<Http3Headers> RESPONSE = AttributeKey.valueOf(RequestStreamHandler.class, "response");

    private final String hop;
    private final Consumer<S> onOpen;
    private final CompletableFuture<S> result;

    /** On a QUIC stream, or an HTTP/2 stream behind an {@code Http2StreamBridge} (the ingress over HTTP/2). */
    RequestStreamHandler(String hop, Consumer<S> onOpen, CompletableFuture<S> result) {
        this.hop = hop;
        this.onOpen = onOpen;
        this.result = result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel()
                .closeFuture()
                .addListener(f -> result.completeExceptionally(new java.io.IOException(
                        goingAway(ctx.channel().parent())
                                ? "the " + hop + " is shutting down (GOAWAY)"
                                : hop + " closed the stream before a response")));
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        Http3Headers h = frame.headers();
        CharSequence s = h.status();
        int status;
        try {
            status = s == null ? 0 : Integer.parseInt(s.toString());
        } catch (NumberFormatException e) {
            status = 0;
        }
        if (status >= 100 && status < 200) {
            return;
        }
        @SuppressWarnings("unchecked") // the stream type this handler was made for
        S stream = (S) ctx.channel();
        if (status >= 200 && status < 300) {
            stream.attr(RESPONSE).set(h);
            try {
                onOpen.accept(stream);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                stream.close();
                return;
            }
            ctx.pipeline().remove(this);
            result.complete(stream);
        } else {
            CharSequence ps = h.get("proxy-status");
            CharSequence auth = h.get("proxy-authenticate");
            result.completeExceptionally(new ProxyResponseException(
                    hop, status, ps == null ? null : ps.toString(), auth == null ? null : auth.toString()));
            stream.close();
        }
    }

    private static boolean goingAway(Channel connection) {
        return connection instanceof QuicChannel q ? MasqueClient.goingAway(q) : Http2Outer.goingAway(connection);
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        ReferenceCountUtil.release(frame); // body of an error response: not needed
    }

    @Override
    protected void channelInputClosed(ChannelHandlerContext ctx) {
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        result.completeExceptionally(cause);
        ctx.close();
    }
}
