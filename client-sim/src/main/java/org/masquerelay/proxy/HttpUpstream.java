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

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;

/**
 * The upstream half of the HTTP proxy's absolute-form forwarding: HTTP/1.1 on one CONNECT stream
 * (RFC 9114 §4.4) to one target, reused by its {@link HttpProxyHandler} for consecutive requests
 * to the same {@code host:port} while both ends keep the connection.
 *
 * <p>Responses are forwarded as decoded messages with hop-by-hop fields removed (RFC 9110 §7.6.1)
 * and the local connection's own persistence (RFC 9112 §9.3): a response without length framing
 * ends the local connection, since its end is the upstream's close. Interim 1xx responses pass
 * through. Backpressure is {@link ByteStreamRelay}'s: the stream is read again only while the
 * bytes written to the local socket and not yet accepted stay under {@link ByteStreamRelay#HIGH_WATER}.
 *
 * <p>Threads: the handler methods run on the stream's event loop; {@link #open}, {@link #begin},
 * {@link #write} and {@link #close} are called on the local loop; the owner is only called back
 * on the local loop. Fields shared between the two are volatile or atomic. Not sharable.
 */
final class HttpUpstream extends ChannelInboundHandlerAdapter {
    private static final long LOW_WATER = ByteStreamRelay.HIGH_WATER / 2;

    private final Channel local;
    private final FlowMeter meter;
    private final HttpProxyHandler owner;
    private final String host;
    private final int port;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicBoolean paused = new AtomicBoolean();
    private volatile @Nullable QuicStreamChannel stream;
    private volatile boolean usable = true;
    private volatile boolean clientKeepAlive;
    private volatile boolean headRequest;
    // Stream loop only: the exchange in progress.
    private boolean interim;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean keepClient;
    private boolean keepUpstream;

    HttpUpstream(Channel local, FlowMeter meter, HttpProxyHandler owner, String host, int port) {
        this.local = local;
        this.meter = meter;
        this.owner = owner;
        this.host = host;
        this.port = port;
    }

    /** Opens the stream; {@code ready} or {@code failed} then runs on the local loop. */
    void open(UpstreamConnector connector, Runnable ready, Consumer<Throwable> failed) {
        connector
                .openTcp(host, port, s -> {
                    if (!settled.compareAndSet(false, true) || !usable) {
                        s.close();
                        return;
                    }
                    stream = s;
                    s.config().setAutoRead(false);
                    s.pipeline()
                            .addLast(
                                    new HttpFetcher.DataFrameCodec(),
                                    new HttpClientCodec(
                                            new HttpDecoderConfig()
                                                    .setMaxChunkSize(64 * 1024)
                                                    .setMaxHeaderSize(64 * 1024),
                                            false,
                                            false),
                                    this);
                    s.read();
                    local.eventLoop().execute(ready);
                })
                .whenComplete((s, err) -> {
                    if (err != null && settled.compareAndSet(false, true)) {
                        local.eventLoop().execute(() -> failed.accept(err));
                    }
                });
    }

    boolean reusableFor(String otherHost, int otherPort) {
        QuicStreamChannel s = stream;
        return usable && s != null && s.isActive() && host.equals(otherHost) && port == otherPort;
    }

    /** Starts an exchange: remembers what shapes its response, then sends the request head. */
    ChannelFuture begin(HttpRequest head, boolean keepAlive) {
        clientKeepAlive = keepAlive;
        headRequest = HttpMethod.HEAD.equals(head.method());
        QuicStreamChannel s = Objects.requireNonNull(stream, "not open");
        s.eventLoop().execute(this::resetExchange); // runs before the write below: same queue
        return s.writeAndFlush(head);
    }

    ChannelFuture write(HttpObject msg) {
        return Objects.requireNonNull(stream, "not open").writeAndFlush(msg);
    }

    void close() {
        usable = false;
        QuicStreamChannel s = stream;
        if (s != null) {
            s.close();
        }
    }

    private void resetExchange() {
        interim = false;
        responseStarted = false;
        responseComplete = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject o) || o.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            ctx.close(); // a malformed response: the owner answers 502 or drops the local side
            return;
        }
        if (o instanceof HttpResponse r) {
            head(r);
            toLocal(r, 0);
        } else if (o instanceof HttpContent c) {
            int n = c.content().readableBytes();
            meter.bytesFromPeer(n);
            ChannelFuture f = toLocal(c, n);
            if (c instanceof LastHttpContent) {
                if (interim) {
                    interim = false;
                } else {
                    responseComplete = true;
                    boolean kc = keepClient;
                    boolean ku = keepUpstream;
                    f.addListener(x -> owner.responseDone(this, kc && x.isSuccess(), ku && usable));
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void head(HttpResponse r) {
        int code = r.status().code();
        interim = code >= 100 && code < 200 && code != 101;
        if (!interim) {
            responseStarted = true;
            boolean framed = HttpUtil.isContentLengthSet(r)
                    || HttpUtil.isTransferEncodingChunked(r)
                    || headRequest
                    || code == 204
                    || code == 304;
            keepUpstream = HttpUtil.isKeepAlive(r);
            keepClient = clientKeepAlive && framed;
        }
        HttpProxyHandler.removeHopByHop(r.headers(), false);
        r.setProtocolVersion(HttpVersion.HTTP_1_1); // RFC 9110 §6.2: an intermediary sends its own
        if (!interim) {
            HttpUtil.setKeepAlive(r, keepClient);
        }
    }

    private ChannelFuture toLocal(HttpObject msg, int bytes) {
        inFlight.addAndGet(bytes);
        ChannelFuture f = local.write(msg);
        f.addListener(x -> {
            long now = inFlight.addAndGet(-bytes);
            if (!x.isSuccess()) {
                close();
            } else if (now < LOW_WATER && paused.compareAndSet(true, false)) {
                Objects.requireNonNull(stream).read(); // a response comes from an open stream
            }
        });
        return f;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        local.flush();
        if (inFlight.get() < ByteStreamRelay.HIGH_WATER) {
            ctx.read();
        } else {
            paused.set(true);
            if (inFlight.get() < LOW_WATER && paused.compareAndSet(true, false)) {
                ctx.read();
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            // The target closed; the codec has already ended a response delimited by the close.
            usable = false;
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        usable = false;
        boolean started = responseStarted;
        boolean complete = responseComplete;
        local.eventLoop().execute(() -> owner.upstreamLost(this, started, complete));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
