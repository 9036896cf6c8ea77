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
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.function.Function;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.masquerelay.protocol.uri.UdpTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request phase of one stream at a relay, shared by the ingress and the egress: read the
 * request headers once, let the subclass validate and open the upstream side, then either hand
 * the stream to a data-phase handler (2xx) or answer once with a status and {@code proxy-status}
 * (docs/architecture.md §3). After a 2xx there is never a second response.
 *
 * <p>State moves AWAITING_HEADERS → OPENING → OPEN (handler replaced) or → CLOSED on any error.
 * Not sharable; runs on the stream's event loop. Peer faults log at DEBUG, our own at ERROR.
 * Logs go to the subclass's logger, so each relay's log stays its own.
 */
public abstract class RelayRequestHandler extends Http3RequestStreamInboundHandler {
    /** Where the request is in its life. */
    protected enum State {
        AWAITING_HEADERS,
        OPENING,
        OPEN,
        CLOSED
    }

    protected final Logger log = LoggerFactory.getLogger(getClass());
    private final RelayMetrics metrics;
    private final String proxyName;
    private State state = State.AWAITING_HEADERS;

    protected RelayRequestHandler(RelayMetrics metrics, String proxyName) {
        this.metrics = metrics;
        this.proxyName = proxyName;
    }

    /**
     * Validates the request and starts opening its upstream side; the stream is in OPENING when
     * this returns normally. Throw a {@link RelayException} to refuse it.
     */
    protected abstract void onRequest(ChannelHandlerContext ctx, QuicStreamChannel stream, Http3Headers headers);

    @Override
    protected final void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        if (state != State.AWAITING_HEADERS) {
            return; // trailers carry nothing for a tunnel
        }
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        try {
            state = State.OPENING;
            onRequest(ctx, stream, frame.headers());
        } catch (RelayException e) {
            fail(stream, e);
        }
    }

    /**
     * The connect-udp target of an extended CONNECT (RFC 9298 §3.4): {@code :scheme https}, a
     * {@code :path} matching {@code template}, and {@code capsule-protocol: ?1}.
     */
    protected static UdpTarget connectUdpTarget(Http3Headers h, UdpProxyTemplate template) {
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

    /** Marks the request open and counts {@code upstream} as a tunnel until it closes. */
    protected final void opened(Channel upstream) {
        state = State.OPEN;
        metrics.tunnelOpened();
        upstream.closeFuture().addListener(x -> metrics.tunnelClosed());
    }

    /**
     * Finishes a connect-udp open when {@code connected} completes: on success the tunnel takes
     * the stream and the 2xx goes out; on failure the socket closes and {@code failure} maps the
     * cause to the error response.
     */
    protected final void completeUdpOpen(
            ChannelHandlerContext ctx,
            UdpSocketBridge bridge,
            Channel udp,
            Future<?> connected,
            Function<Throwable, RelayException> failure) {
        completeUdpOpen(ctx, bridge, udp, connected, failure, null);
    }

    /** {@link #completeUdpOpen} whose 2xx also carries {@code extra} (may be null). */
    protected final void completeUdpOpen(
            ChannelHandlerContext ctx,
            UdpSocketBridge bridge,
            Channel udp,
            Future<?> connected,
            Function<Throwable, RelayException> failure,
            Http3Headers extra) {
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                udp.close();
                fail(stream, failure.apply(f.cause()));
                return;
            }
            if (!stream.isActive()) {
                udp.close();
                return;
            }
            opened(udp);
            bridge.open(ctx, extra);
            log.debug("udp tunnel open on stream {}", stream.streamId());
        });
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
    protected final void fail(QuicStreamChannel stream, RelayException e) {
        state = State.CLOSED;
        metrics.error(e.type().token());
        if (e.type() == ProxyErrorType.PROXY_INTERNAL_ERROR) {
            log.error("internal error on stream {}: {}", stream.streamId(), e.getMessage(), e.getCause());
        } else {
            log.debug("refused stream {}: {}", stream.streamId(), e.type().token());
        }
        ErrorResponder.respond(stream, proxyName, e);
    }

    /** Maps a failed future's cause to a relay error, keeping one that already is. */
    protected static RelayException asRelayException(Throwable t) {
        if (t instanceof RelayException r) {
            return r;
        }
        return new RelayException(ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL, null, t);
    }

    protected static CharSequence nullToEmpty(CharSequence s) {
        return s == null ? "" : s;
    }
}
