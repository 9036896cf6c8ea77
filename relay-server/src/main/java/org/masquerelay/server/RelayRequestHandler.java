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

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3HeadersValidationException;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.sfv.StructuredFieldParser;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.RequestStreams;
import org.masquerelay.protocol.uri.Target;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request phase of one stream at a relay, shared by the ingress and the egress. It drives
 * every request through the same fixed phases, in the order of Pingora's {@code ProxyHttp}:
 *
 * <ol>
 *   <li>{@link #admit}: may this request be served at all (credentials, method)? A draining relay
 *       refuses before this phase.
 *   <li>{@link #target}: what does it ask for?
 *   <li>{@link #open}: open the upstream side; the future completes with an {@link Upstream}.
 *   <li>This class writes the one response: the 2xx (with {@link #responseHeaders}) and hands the
 *       stream to the upstream's data phase, or the error with {@code proxy-status}
 *       (docs/architecture.md §3). After a 2xx there is never a second response.
 * </ol>
 *
 * <p>A phase refuses the request by throwing, or completing its future with, a {@link
 * RelayException}; any other exception is answered as {@code proxy_internal_error}. {@link
 * #responseHeaders} may refuse too, before the 2xx is committed. Subclasses fill in phases and
 * never call back into this class. State moves AWAITING_HEADERS → OPENING → OPEN (handler
 * replaced) or → CLOSED on any error. Not sharable;
 * runs on the stream's event loop. Peer faults log at DEBUG, our own at ERROR. Logs go to the
 * subclass's logger, so each relay's log stays its own.
 *
 * <p>The stream is a QUIC stream, or at the ingress also an HTTP/2 stream behind an {@link
 * org.masquerelay.protocol.tunnel.Http2StreamBridge}, which presents it as HTTP/3 frames: both
 * listeners run this one class, so one policy serves both (docs/architecture.md, "HTTP/2
 * fallback").
 *
 * @param <S> the stream channel's type
 * @param <T> what {@link #target} finds in the request
 */
public abstract class RelayRequestHandler<S extends Channel, T> extends Http3RequestStreamInboundHandler {
    /** Where the request is in its life. */
    protected enum State {
        AWAITING_HEADERS,
        OPENING,
        OPEN,
        CLOSED
    }

    /**
     * Bytes of DATA held between a request and its 2xx before the stream stops being read
     * ({@link EarlyData}); a client's first flight (an HTTP request, a TLS ClientHello) fits.
     */
    static final int EARLY_DATA_LIMIT = 64 * 1024;

    private static final String CAPSULE_PROTOCOL = "capsule-protocol";

    protected final Logger log = LoggerFactory.getLogger(getClass());

    /**
     * One line per request when it ends: the relay's proxy name, what was tunnelled, the status,
     * the Proxy-Status error type if any, and how long it lasted. Never an address and never a
     * target, at either relay (docs/architecture.md §2: the ingress must not learn targets, the
     * egress must not learn client addresses; a log is where they would leak).
     */
    private static final Logger ACCESS = LoggerFactory.getLogger("org.masquerelay.access");

    private long startNanos;
    private final RelayMetrics metrics;
    private final String proxyName;
    private final BooleanSupplier draining;
    private State state = State.AWAITING_HEADERS;
    /** Whether the request said {@code capsule-protocol: ?1} (RFC 9297 §3.4). */
    private boolean capsuleProtocol;
    /** DATA that came between the request and the 2xx; null until the first such frame. */
    private @Nullable EarlyData early;

    /**
     * @param draining true once the relay began shutting down: every new request is then refused
     *     with {@code connection_limit_reached} before any phase runs
     */
    protected RelayRequestHandler(RelayMetrics metrics, String proxyName, BooleanSupplier draining) {
        this.metrics = metrics;
        this.proxyName = proxyName;
        this.draining = draining;
    }

    /** Phase 1: refuses, by throwing a {@link RelayException}, a request that may not be served. */
    protected abstract void admit(S stream, Http3Headers headers);

    /** Phase 2: the target of an admitted request; throws a {@link RelayException} if malformed. */
    protected abstract T target(S stream, Http3Headers headers);

    /**
     * Phase 3: opens the upstream side toward {@code target}. The future may complete on any
     * thread; this class continues on the stream's event loop. A failure that is not a {@link
     * RelayException} is answered as {@code proxy_internal_error}.
     */
    protected abstract Future<Upstream> open(S stream, T target);

    /**
     * Fields this relay adds to every 2xx, after the upstream's own. Adds none by default. A
     * {@link RelayException} here still refuses the request, and the upstream is closed.
     */
    protected void responseHeaders(S stream, Http3Headers headers) {}

    @Override
    protected final void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        if (state != State.AWAITING_HEADERS) {
            return; // trailers carry nothing for a tunnel
        }
        @SuppressWarnings("unchecked") // the stream channel type this handler was made for
        S stream = (S) ctx.channel();
        String malformed = malformedField(frame.headers());
        if (malformed != null) {
            startNanos = System.nanoTime();
            reset(stream, malformed);
            return;
        }
        state = State.OPENING;
        startNanos = System.nanoTime();
        capsuleProtocol = capsuleProtocol(frame.headers());
        Future<Upstream> opening;
        try {
            if (draining.getAsBoolean()) {
                throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.INTERNAL, "relay is draining");
            }
            admit(stream, frame.headers());
            opening = open(stream, target(stream, frame.headers()));
        } catch (RuntimeException e) {
            // docs/architecture.md §3: every request gets exactly one response, also on a bug.
            fail(stream, asRelayException(e));
            return;
        }
        opening.addListener(f -> {
            if (stream.eventLoop().inEventLoop()) {
                opened(ctx, stream, opening);
            } else {
                stream.eventLoop().execute(() -> opened(ctx, stream, opening));
            }
        });
    }

    private void opened(ChannelHandlerContext ctx, S stream, Future<Upstream> opening) {
        if (!opening.isSuccess()) {
            if (stream.isActive()) {
                fail(stream, asRelayException(opening.cause()));
            }
            return;
        }
        Upstream upstream = opening.getNow();
        if (!stream.isActive() || state != State.OPENING) {
            upstream.channel().close();
            return;
        }
        Http3Headers ok = new DefaultHttp3Headers().status("200");
        try {
            ok.add(upstream.responseHeaders());
            if (!capsuleProtocol) {
                // RFC 9297 §3.4: no capsules on this stream either way; HTTP Datagrams only.
                ok.remove(CAPSULE_PROTOCOL);
                DatagramTunnelHandler tunnel = upstream.tunnel();
                if (tunnel != null) {
                    tunnel.withoutCapsuleProtocol();
                }
            }
            responseHeaders(stream, ok);
        } catch (RuntimeException e) {
            // Still before the 2xx: the error is the one response and the upstream is not used.
            upstream.channel().close();
            fail(stream, asRelayException(e));
            return;
        }
        state = State.OPEN;
        metrics.phase("setup", upstream.kind(), System.nanoTime() - startNanos);
        metrics.tunnelOpened();
        upstream.channel().closeFuture().addListener(x -> {
            metrics.tunnelClosed();
            access(upstream.kind(), 200, "-");
        });
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(ok));
        EarlyData held = early;
        if (held != null) {
            held.resume();
        }
        upstream.start().accept(ctx);
        if (held != null) {
            held.release();
        }
        log.debug("{} open on stream {}", upstream.kind(), RequestStreams.id(stream));
    }

    /**
     * The connect-udp target of an extended CONNECT (RFC 9298 §3.4): {@code :scheme https} and a
     * {@code :path} matching {@code template}. {@code capsule-protocol} is not required: without
     * it the tunnel carries HTTP Datagrams only ({@link #capsuleProtocol}).
     */
    protected static Target connectUdpTarget(Http3Headers h, UdpProxyTemplate template) {
        if (!"https".contentEquals(nullToEmpty(h.scheme())) || h.path() == null) {
            throw new RelayException(
                    ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "missing :scheme https or :path");
        }
        try {
            return template.match(h.path().toString())
                    .orElseThrow(() -> new RelayException(
                            ProxyErrorType.HTTP_REQUEST_ERROR,
                            Side.DOWNSTREAM,
                            "path does not match the connect-udp template"));
        } catch (ProtocolException e) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "malformed target");
        }
    }

    /**
     * Whether a request speaks the Capsule Protocol on its stream: {@code capsule-protocol} is the
     * RFC 8941 Boolean {@code ?1}, parameters ignored. RFC 9297 §3.4: absent, {@code ?0}, or not a
     * valid Boolean (a field that fails to parse is ignored) means it does not.
     */
    public static boolean capsuleProtocol(Http3Headers h) {
        CharSequence value = h.get(CAPSULE_PROTOCOL);
        if (value == null) {
            return false;
        }
        StructuredFieldParser parser =
                new StructuredFieldParser(CAPSULE_PROTOCOL, value.toString(), ProtocolException::new);
        try {
            return Boolean.TRUE.equals(parser.parseItem((key, v) -> {}));
        } catch (ProtocolException e) {
            return false;
        }
    }

    @Override
    protected final void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        switch (state) {
            case OPENING -> {
                // RFC 9114 §4.4: "The payload of any DATA frame sent by the client is transmitted
                // by the proxy to the TCP server", also what a client sends before our 2xx; for
                // connect-udp they are capsules (RFC 9297 §3.2), just as valid before it. Held
                // until the upstream's data phase starts. Later frames reach the holder first.
                EarlyData held = new EarlyData();
                early = held;
                ctx.pipeline().addBefore(ctx.name(), null, held);
                held.hold(frame);
            }
            case OPEN -> ctx.fireChannelRead(frame); // a data phase that kept this handler
            default -> ReferenceCountUtil.release(frame); // refused or closed: nowhere to go
        }
    }

    @Override
    protected final void channelInputClosed(ChannelHandlerContext ctx) {
        if (state != State.OPEN) {
            state = State.CLOSED;
            ctx.close();
        }
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http3HeadersValidationException && state == State.AWAITING_HEADERS) {
            // Netty's codec found the request malformed (a missing or misplaced pseudo-header)
            // and tells us before it resets the stream; closing here would overtake that reset.
            startNanos = System.nanoTime();
            reset(ctx.channel(), cause.getMessage());
            return;
        }
        log.debug("request stream error: {}", cause.toString());
        state = State.CLOSED;
        ctx.close();
    }

    /**
     * Why a request's header section is malformed, or null if it is not. RFC 9114 §4.1.2 (with
     * RFC 9110 §5.5): a field value with CR, LF or NUL makes the message malformed. Missing
     * pseudo-headers (RFC 9114 §4.4: {@code :authority} for CONNECT; {@code :scheme}, {@code
     * :path} and {@code :authority} for extended CONNECT, RFC 9220 §3) Netty's codec finds first
     * and reports to {@link #exceptionCaught}.
     */
    static @Nullable String malformedField(Http3Headers headers) {
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence value = field.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) {
                    return "field value with CR, LF or NUL";
                }
            }
        }
        return null;
    }

    /**
     * A malformed request (RFC 9114 §4.1.2): the stream is reset, both ways, with
     * H3_MESSAGE_ERROR. It gets no response: a malformed message is a stream error, not a request
     * to answer.
     */
    private void reset(Channel stream, @Nullable String why) {
        state = State.CLOSED;
        metrics.error(ProxyErrorType.HTTP_REQUEST_ERROR.token());
        access("malformed", 0, "h3_message_error");
        log.debug("malformed request on stream {}: {}", RequestStreams.id(stream), why);
        RequestStreams.reset(stream, Http3ErrorCode.H3_MESSAGE_ERROR.code());
    }

    /** The one error response of this request (before any 2xx). */
    private void fail(Channel stream, RelayException e) {
        state = State.CLOSED;
        if (e.status() == RelayException.PROXY_AUTHENTICATION_REQUIRED) {
            metrics.challenge(e.details() == null ? "token required" : e.details());
        } else {
            metrics.error(e.type().token());
        }
        access("refused", e.status(), e.type().token());
        // A 503 of our own (a store that does not answer) is logged once per outage by its owner.
        if (e.type() == ProxyErrorType.PROXY_INTERNAL_ERROR && e.status() == 500) {
            log.error("internal error on stream {}: {}", RequestStreams.id(stream), e.getMessage(), e.getCause());
        } else {
            log.debug(
                    "refused stream {}: {}", RequestStreams.id(stream), e.type().token());
        }
        ErrorResponder.respond(stream, proxyName, e);
    }

    private void access(String kind, int status, String error) {
        if (ACCESS.isInfoEnabled()) {
            long ms = (System.nanoTime() - startNanos) / 1_000_000;
            // The same fields as key-value pairs, for the JSON log format (kvpList).
            ACCESS.atInfo()
                    .setMessage("{} {} status={} error={} ms={}")
                    .addArgument(proxyName)
                    .addArgument(kind)
                    .addArgument(status)
                    .addArgument(error)
                    .addArgument(ms)
                    .addKeyValue("relay", proxyName)
                    .addKeyValue("kind", kind)
                    .addKeyValue("status", status)
                    .addKeyValue("error", error)
                    .addKeyValue("ms", ms)
                    .log();
        }
    }

    /**
     * Holds what the client sent between its request and our 2xx, in order (DATA frames, and a FIN
     * after them), then hands it to the data phase. It sits just before the request handler, so
     * that what arrives while the data phase starts queues behind the held frames rather than
     * overtaking them. Past {@link #EARLY_DATA_LIMIT} it stops reading the stream: the client then
     * waits on the stream's QUIC flow-control window, so what is held stays bounded by the limit
     * plus that window. If the request fails, the stream closes and everything held is released.
     */
    private static final class EarlyData extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Object> held = new ArrayDeque<>();
        private @Nullable ChannelHandlerContext ctx;
        private long bytes;
        private boolean paused;
        private boolean resumed;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void hold(Object msg) {
            held.add(msg);
            if (msg instanceof Http3DataFrame frame) {
                bytes += frame.content().readableBytes();
                ChannelHandlerContext c = ctx;
                if (bytes >= EARLY_DATA_LIMIT && !paused && !resumed && c != null) {
                    paused = true;
                    c.channel().config().setAutoRead(false);
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            hold(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // Nothing for the request handler; the data phase gets one after the held frames.
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                hold(evt); // the client's FIN after its data: a half-close, for the data phase
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        /** Reads the stream again, before the data phase starts and sets its own reading mode. */
        void resume() {
            resumed = true;
            ChannelHandlerContext c = ctx;
            if (paused && c != null) {
                paused = false;
                c.channel().config().setAutoRead(true);
            }
        }

        /** Passes everything held to the data phase that now follows, then leaves the pipeline. */
        void release() {
            ChannelHandlerContext c = ctx;
            if (c == null || c.isRemoved()) {
                return;
            }
            for (Object msg; (msg = held.poll()) != null; ) {
                if (msg instanceof ChannelInputShutdownEvent) {
                    c.fireUserEventTriggered(msg);
                } else {
                    c.fireChannelRead(msg);
                }
            }
            c.fireChannelReadComplete();
            if (!c.isRemoved()) {
                c.pipeline().remove(this);
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            for (Object msg; (msg = held.poll()) != null; ) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Maps a failed future's cause to a relay error, keeping one that already is. */
    private static RelayException asRelayException(Throwable t) {
        if (t instanceof RelayException r) {
            return r;
        }
        return new RelayException(ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL, null, t);
    }

    protected static CharSequence nullToEmpty(CharSequence s) {
        return s == null ? "" : s;
    }
}
