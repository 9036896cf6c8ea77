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
package org.masquerelay.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import org.masquerelay.protocol.tunnel.TunnelMetrics;

/**
 * One local connection's byte counts, and the downstream bytes the proxy holds for it: bytes
 * accepted from a QUIC stream ({@link #bytesFromPeer}) until their write to the local socket
 * completes ({@link #handler()} sits in the local pipeline and sees every payload write). When the
 * connection closes, whatever it still held stops counting.
 *
 * <p>Called from the stream's and the local socket's event loops; the small critical sections keep
 * the shared gauge exact.
 */
final class FlowMeter implements TunnelMetrics {
    private final ProxyStats stats;
    private long held; // guarded by this
    private boolean closed; // guarded by this

    FlowMeter(ProxyStats stats) {
        this.stats = stats;
    }

    /** Counts the local connection's writes; install it between the codecs and the handler. */
    ChannelOutboundHandlerAdapter handler() {
        return new Handler();
    }

    /** Stops holding when {@code local} closes. */
    void bind(Channel local) {
        local.closeFuture().addListener(f -> close());
    }

    @Override
    public void bytesFromPeer(long bytes) {
        stats.down(bytes);
        synchronized (this) {
            if (closed) {
                return;
            }
            held += bytes;
        }
        stats.hold(bytes);
    }

    @Override
    public void bytesToPeer(long bytes) {
        stats.up(bytes);
    }

    private void delivered(long bytes) {
        synchronized (this) {
            if (closed) {
                return;
            }
            held -= bytes;
        }
        stats.unhold(bytes);
    }

    private void close() {
        long rest;
        synchronized (this) {
            closed = true;
            rest = held;
            held = 0;
        }
        stats.unhold(rest);
    }

    private final class Handler extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            // Payload only: relayed bytes and forwarded body pieces, not replies the proxy writes.
            long n = msg instanceof ByteBuf b
                    ? b.readableBytes()
                    : msg instanceof HttpContent c && !(msg instanceof HttpMessage)
                            ? c.content().readableBytes()
                            : 0;
            if (n > 0) {
                ChannelPromise p = promise.unvoid();
                p.addListener(f -> delivered(n));
                ctx.write(msg, p);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
