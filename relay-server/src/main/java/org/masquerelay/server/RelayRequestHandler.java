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

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
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
 * @param <T> what {@link #target} finds in the request
 */
public abstract class RelayRequestHandler<T> extends Http3RequestStreamInboundHandler {
    /** Where the request is in its life. */
    protected enum State {
        AWAITING_HEADERS,
        OPENING,
        OPEN,
        CLOSED
    }

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
    protected abstract void admit(QuicStreamChannel stream, Http3Headers headers);

    /** Phase 2: the target of an admitted request; throws a {@link RelayException} if malformed. */
    protected abstract T target(QuicStreamChannel stream, Http3Headers headers);

    /**
     * Phase 3: opens the upstream side toward {@code target}. The future may complete on any
     * thread; this class continues on the stream's event loop. A failure that is not a {@link
     * RelayException} is answered as {@code proxy_internal_error}.
     */
    protected abstract Future<Upstream> open(QuicStreamChannel stream, T target);

    /**
     * Fields this relay adds to every 2xx, after the upstream's own. Adds none by default. A
     * {@link RelayException} here still refuses the request, and the upstream is closed.
     */
    protected void responseHeaders(QuicStreamChannel stream, Http3Headers headers) {}

    @Override
    protected final void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        if (state != State.AWAITING_HEADERS) {
            return; // trailers carry nothing for a tunnel
        }
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        state = State.OPENING;
        startNanos = System.nanoTime();
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

    private void opened(ChannelHandlerContext ctx, QuicStreamChannel stream, Future<Upstream> opening) {
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
            responseHeaders(stream, ok);
        } catch (RuntimeException e) {
            // Still before the 2xx: the error is the one response and the upstream is not used.
            upstream.channel().close();
            fail(stream, asRelayException(e));
            return;
        }
        state = State.OPEN;
        metrics.tunnelOpened();
        upstream.channel().closeFuture().addListener(x -> {
            metrics.tunnelClosed();
            access(upstream.kind(), 200, "-");
        });
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(ok));
        upstream.start().accept(ctx);
        log.debug("{} open on stream {}", upstream.kind(), stream.streamId());
    }

    /**
     * The connect-udp target of an extended CONNECT (RFC 9298 §3.4): {@code :scheme https}, a
     * {@code :path} matching {@code template}, and {@code capsule-protocol: ?1}.
     */
    protected static Target connectUdpTarget(Http3Headers h, UdpProxyTemplate template) {
        if (!"https".contentEquals(nullToEmpty(h.scheme())) || h.path() == null) {
            throw new RelayException(
                    ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "missing :scheme https or :path");
        }
        CharSequence capsuleProtocol = h.get("capsule-protocol");
        if (capsuleProtocol == null || !"?1".contentEquals(capsuleProtocol)) {
            throw new RelayException(
                    ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "missing capsule-protocol: ?1");
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

    @Override
    protected final void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        // Data before our 2xx: for TCP the client must wait (RFC 9114 §4.4); for UDP it is an
        // optimistic datagram, dropped like a lost packet.
        metrics.datagramDropped("before_response");
        ReferenceCountUtil.release(frame);
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
        log.debug("request stream error: {}", cause.toString());
        state = State.CLOSED;
        ctx.close();
    }

    /** The one error response of this request (before any 2xx). */
    private void fail(QuicStreamChannel stream, RelayException e) {
        state = State.CLOSED;
        if (e.status() == RelayException.PROXY_AUTHENTICATION_REQUIRED) {
            metrics.challenge(e.details() == null ? "token required" : e.details());
        } else {
            metrics.error(e.type().token());
        }
        access("refused", e.status(), e.type().token());
        // A 503 of our own (a store that does not answer) is logged once per outage by its owner.
        if (e.type() == ProxyErrorType.PROXY_INTERNAL_ERROR && e.status() == 500) {
            log.error("internal error on stream {}: {}", stream.streamId(), e.getMessage(), e.getCause());
        } else {
            log.debug("refused stream {}: {}", stream.streamId(), e.type().token());
        }
        ErrorResponder.respond(stream, proxyName, e);
    }

    private void access(String kind, int status, String error) {
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info(
                    "{} {} status={} error={} ms={}",
                    proxyName,
                    kind,
                    status,
                    error,
                    (System.nanoTime() - startNanos) / 1_000_000);
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
