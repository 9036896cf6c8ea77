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
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;

/**
 * Joins a negotiated local connection (SOCKS5 CONNECT or HTTP CONNECT) to a new CONNECT stream
 * (RFC 9114 §4.4) once the egress answered 2xx: the local protocol's success reply goes out
 * first, then bytes move both ways through {@link ByteStreamRelay}, with its backpressure.
 *
 * <p>Order on the local socket: the reply is queued on the local event loop from the stream's
 * loop before the relay starts, and tasks from one thread run in order, so no relayed byte can
 * overtake it. The local connection is not read while the stream opens. Exactly one of success
 * or failure wins, also against the pool's timeout.
 */
final class TcpTunnel {
    /** The local protocol's half. Both methods run on the local channel's event loop. */
    interface Reply {
        /** Write the success reply and take the negotiation handlers out of the pipeline. */
        void succeeded(ChannelHandlerContext ctx);

        /** Write the error reply for {@code cause} and close. */
        void failed(ChannelHandlerContext ctx, Throwable cause);
    }

    private TcpTunnel() {}

    /**
     * @param early bytes the client sent after its request and before our reply (owned here), or
     *     null
     */
    static void open(
            UpstreamConnector upstream,
            ChannelHandlerContext ctx,
            String host,
            int port,
            @Nullable ByteBuf early,
            FlowMeter meter,
            Reply reply) {
        Channel local = ctx.channel();
        AtomicBoolean settled = new AtomicBoolean();
        upstream.openTcp(host, port, stream -> {
                    if (!settled.compareAndSet(false, true)) {
                        stream.close(); // we already answered the local client with an error
                        return;
                    }
                    if (!local.isActive()) {
                        release(early);
                        stream.close();
                        return;
                    }
                    local.eventLoop().execute(() -> reply.succeeded(ctx));
                    if (early != null && early.isReadable()) {
                        meter.bytesToPeer(early.readableBytes());
                        stream.write(new DefaultHttp3DataFrame(early));
                    } else {
                        release(early);
                    }
                    ByteStreamRelay.start(stream, null, local, meter);
                })
                .whenComplete((QuicStreamChannel stream, Throwable err) -> {
                    if (err != null && settled.compareAndSet(false, true)) {
                        release(early);
                        local.eventLoop().execute(() -> reply.failed(ctx, ProxyErrors.unwrap(err)));
                    }
                });
    }

    private static void release(@Nullable ByteBuf b) {
        if (b != null) {
            b.release();
        }
    }
}
