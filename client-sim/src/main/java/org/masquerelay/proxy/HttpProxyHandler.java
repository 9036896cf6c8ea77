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
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.ProxyStatus;
import org.masquerelay.protocol.uri.MalformedTargetException;
import org.masquerelay.protocol.uri.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP proxy side of one local connection.
 *
 * <ul>
 *   <li>{@code CONNECT host:port} (RFC 9110 §9.3.6): a CONNECT stream through both hops
 *       ({@link TcpTunnel}); {@code 200 Connection established}, then raw bytes.
 *   <li>Absolute-form requests (RFC 9112 §3.2.2), {@code GET http://host/path}: rewritten to
 *       origin-form with {@code Host} from the target URI, hop-by-hop and {@code Proxy-*} fields
 *       removed (RFC 9110 §7.6.1), and sent as HTTP/1.1 over a CONNECT stream to
 *       {@code host:port} ({@link HttpUpstream}). Requests are handled one at a time; the
 *       local connection stays open between them, and its upstream is reused while the next
 *       request goes to the same {@code host:port} (one upstream per target at a time: a request
 *       to another target closes it and opens a new one).
 *   <li>Origin-form requests and {@code https://} absolute-form: 400 (use CONNECT for https).
 * </ul>
 *
 * <p>Errors opening the upstream answer with the relay's status and {@code Proxy-Status}
 * ({@link ProxyErrors#httpResponse}) and close. Runs with AUTO_READ off: the next request is read
 * only after the previous response was written, request bodies only after the previous piece
 * was accepted upstream. Every field is touched on the connection's event loop only. Not
 * sharable.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
    static final String DECODER = "http-decoder";
    static final String ENCODER = "http-encoder";
    private static final Logger log = LoggerFactory.getLogger(HttpProxyHandler.class);
    private static final AsciiString PROXY_PREFIX = AsciiString.cached("proxy-");
    // Netty deprecates these constants as non-standard; RFC 9110 §7.6.1 still names them.
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");

    /** Where the connection is between requests and responses. */
    enum State {
        IDLE,
        OPENING,
        SENDING,
        AWAITING_RESPONSE,
        TUNNEL,
        CLOSING
    }

    /** A parsed absolute-form target. */
    record AbsoluteTarget(String host, int port, String hostHeader, String pathAndQuery) {}

    private final UpstreamConnector connector;
    private final FlowMeter meter;
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>();
    private @Nullable ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private @Nullable HttpUpstream upstream;
    private @Nullable HttpRequest pendingHead;
    private boolean pendingKeepAlive;
    private int writesInFlight;
    private boolean draining;
    private @Nullable CompositeByteBuf early;
    private boolean dialing;

    HttpProxyHandler(UpstreamConnector connector, FlowMeter meter) {
        this.connector = connector;
        this.meter = meter;
    }

    /** Adds the codecs, the meter and this handler to a new connection's pipeline. */
    void install(ChannelPipeline p) {
        p.addLast(
                DECODER,
                new HttpRequestDecoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(16 * 1024)
                        .setMaxHeaderSize(64 * 1024)
                        .setMaxChunkSize(64 * 1024)));
        p.addLast(ENCODER, new HttpResponseEncoder());
        p.addLast("meter", meter.handler());
        p.addLast("http-proxy", this);
    }

    State state() {
        return state;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        meter.bind(ctx.channel());
    }

    /** This handler's context: Netty calls handlerAdded before anything else reaches it. */
    private ChannelHandlerContext ctx() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("not added to a pipeline");
        }
        return c;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.TUNNEL) {
            if (msg instanceof ByteBuf b && dialing) {
                if (early == null) {
                    early = ctx.alloc().compositeBuffer();
                }
                early.addComponent(true, b); // sent behind the CONNECT before our 200
            } else {
                ReferenceCountUtil.release(msg); // the CONNECT's empty end of content
            }
        } else if (state == State.CLOSING || !(msg instanceof HttpObject o)) {
            ReferenceCountUtil.release(msg);
        } else {
            queued.add(o);
            drain();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readIfReady();
    }

    private void readIfReady() {
        boolean idle = state == State.IDLE && queued.isEmpty();
        boolean body = state == State.SENDING && writesInFlight == 0 && queued.isEmpty();
        if (idle || body) {
            ctx().read();
        }
    }

    /** Handles queued messages as far as the state allows. */
    private void drain() {
        while (!queued.isEmpty() && state != State.CLOSING && state != State.TUNNEL) {
            HttpObject next = queued.peek();
            boolean isHead = next instanceof HttpRequest;
            if (isHead ? state != State.IDLE : state == State.OPENING) {
                return; // the next request waits for this exchange; a body waits for its upstream
            }
            queued.poll();
            handle(next);
        }
        if (state == State.CLOSING || state == State.TUNNEL) {
            for (HttpObject o; (o = queued.poll()) != null; ) {
                ReferenceCountUtil.release(o);
            }
        }
    }

    private void handle(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            log.debug(
                    "http proxy: malformed request: {}",
                    msg.decoderResult().cause().toString());
            ReferenceCountUtil.release(msg);
            fail(ProxyErrors.badRequest(ctx().alloc(), "malformed request"));
            return;
        }
        if (msg instanceof HttpRequest req) {
            if (HttpMethod.CONNECT.equals(req.method())) {
                connect(req);
            } else {
                forward(req);
            }
        } else if (msg instanceof HttpContent c) {
            if (state == State.SENDING) {
                boolean last = c instanceof LastHttpContent;
                send(c);
                if (last) {
                    state = State.AWAITING_RESPONSE;
                }
            } else {
                c.release(); // the body of a request that was refused
            }
        }
    }

    private void connect(HttpRequest req) {
        Target target;
        try {
            target = Target.parse(req.uri());
        } catch (MalformedTargetException e) {
            fail(ProxyErrors.badRequest(ctx().alloc(), "CONNECT needs host:port"));
            return;
        }
        state = State.TUNNEL;
        dialing = true;
        // Without the decoder, bytes behind the request reach us raw, not as a next request.
        ctx().pipeline().remove(DECODER);
        ctx().executor().execute(() -> {
            CompositeByteBuf data = early;
            early = null;
            dialing = false;
            if (!ctx().channel().isActive()) {
                if (data != null) {
                    data.release();
                }
                return;
            }
            TcpTunnel.open(connector, ctx(), target.host(), target.port(), data, meter, new TcpTunnel.Reply() {
                @Override
                public void succeeded(ChannelHandlerContext c) {
                    c.writeAndFlush(new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection established")));
                    c.pipeline().remove(ENCODER);
                    c.pipeline().remove(HttpProxyHandler.this);
                }

                @Override
                public void failed(ChannelHandlerContext c, Throwable cause) {
                    log.debug("http proxy: CONNECT failed: {}", cause.toString());
                    fail(ProxyErrors.httpResponse(c.alloc(), cause));
                }
            });
        });
    }

    private void forward(HttpRequest req) {
        AbsoluteTarget target = parseAbsoluteForm(req.uri());
        if (target == null) {
            String why = req.uri().regionMatches(true, 0, "https://", 0, 8)
                    ? "https:// needs CONNECT"
                    : "absolute-form http:// request target expected";
            fail(ProxyErrors.badRequest(ctx().alloc(), why));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !draining;
        toOriginForm(req, target);
        if (upstream != null && upstream.reusableFor(target.host(), target.port())) {
            begin(req, keepAlive);
            return;
        }
        if (upstream != null) {
            upstream.close();
        }
        HttpUpstream u = new HttpUpstream(ctx().channel(), meter, this, target.host(), target.port());
        upstream = u;
        pendingHead = req;
        pendingKeepAlive = keepAlive;
        state = State.OPENING;
        u.open(connector, () -> opened(u), err -> openFailed(u, err));
    }

    private void opened(HttpUpstream u) {
        if (u != upstream || state != State.OPENING) {
            u.close();
            return;
        }
        HttpRequest head = Objects.requireNonNull(pendingHead, "pendingHead"); // set while OPENING
        pendingHead = null;
        begin(head, pendingKeepAlive);
        drain();
        readIfReady();
    }

    private void openFailed(HttpUpstream u, Throwable cause) {
        if (u == upstream) {
            upstream = null;
            log.debug(
                    "http proxy: upstream failed: {}", ProxyErrors.unwrap(cause).toString());
            fail(ProxyErrors.httpResponse(ctx().alloc(), cause));
        }
    }

    private void begin(HttpRequest head, boolean keepAlive) {
        state = State.SENDING;
        countWrite(Objects.requireNonNull(upstream, "upstream").begin(head, keepAlive));
    }

    private void send(HttpContent c) {
        meter.bytesToPeer(c.content().readableBytes());
        countWrite(Objects.requireNonNull(upstream, "upstream").write(c)); // set while SENDING
    }

    private void countWrite(ChannelFuture f) {
        writesInFlight++;
        f.addListener(x -> ctx().executor().execute(() -> {
            writesInFlight--;
            if (x.isSuccess()) {
                readIfReady();
            }
            // A failed write means the stream is gone: upstreamLost answers the client.
        }));
    }

    /** The response's last byte reached the local socket (called on our loop). */
    void responseDone(HttpUpstream u, boolean keepClient, boolean keepUpstream) {
        if (u != upstream || state == State.CLOSING) {
            return;
        }
        if (!keepUpstream) {
            u.close();
            upstream = null;
        }
        if (!keepClient || draining) {
            state = State.CLOSING;
            ctx().close();
            return;
        }
        state = State.IDLE;
        drain();
        readIfReady();
    }

    /** The upstream stream closed (called on our loop). */
    void upstreamLost(HttpUpstream u, boolean responseStarted, boolean responseComplete) {
        if (u != upstream || responseComplete) {
            return; // responseDone decides, and drops a closed upstream
        }
        upstream = null;
        if (state == State.SENDING || state == State.AWAITING_RESPONSE || state == State.OPENING) {
            if (responseStarted) {
                state = State.CLOSING;
                ctx().close(); // mid-body: the client sees the truncation as a closed connection
            } else {
                fail(ProxyErrors.httpResponse(
                        ctx().alloc(),
                        HttpResponseStatus.BAD_GATEWAY,
                        ProxyStatus.of(ProxyErrors.PROXY_NAME, ProxyErrorType.CONNECTION_TERMINATED, null)
                                .toHeaderValue(),
                        "the target closed the connection"));
            }
        }
    }

    private void fail(FullHttpResponse response) {
        state = State.CLOSING;
        drain(); // releases whatever was queued
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        ctx().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ProxyServer.DRAIN) {
            draining = true;
            if (state == State.IDLE) {
                state = State.CLOSING;
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSING;
        drain();
        if (early != null) {
            early.release();
            early = null;
        }
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("http proxy: closing after {}", cause.toString());
        ctx.close();
    }

    /**
     * Parses an absolute-form {@code http://} request target (RFC 9112 §3.2.2); null when it is
     * not one or its authority is malformed. Userinfo is refused (RFC 9110 §4.2.4).
     */
    static @Nullable AbsoluteTarget parseAbsoluteForm(String uri) {
        if (!uri.regionMatches(true, 0, "http://", 0, 7)) {
            return null;
        }
        String rest = uri.substring(7);
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = rest.substring(0, end);
        String path = rest.substring(end);
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash); // a fragment never goes on the wire
        }
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        boolean hasPort = authority.startsWith("[") ? authority.indexOf("]:") > 0 : authority.indexOf(':') >= 0;
        try {
            Target a = Target.parse(hasPort ? authority : authority + ":80");
            return new AbsoluteTarget(a.host(), a.port(), authority, path);
        } catch (MalformedTargetException e) {
            return null;
        }
    }

    /** Rewrites an absolute-form request for the target: origin-form, Host, no hop-by-hop fields. */
    static void toOriginForm(HttpRequest req, AbsoluteTarget target) {
        req.setUri(target.pathAndQuery());
        req.setProtocolVersion(HttpVersion.HTTP_1_1); // RFC 9110 §6.2: our own version
        removeHopByHop(req.headers(), true);
        // RFC 9112 §3.2.2: a proxy replaces Host with the target URI's authority.
        req.headers().set(HttpHeaderNames.HOST, target.hostHeader());
    }

    /**
     * Removes the hop-by-hop fields of RFC 9110 §7.6.1: those named in {@code Connection}, then
     * {@code Connection}, {@code Proxy-Connection}, {@code Keep-Alive}, {@code TE},
     * {@code Trailer}, {@code Upgrade}, and in requests every {@code Proxy-*} field (credentials
     * for this proxy never travel on). {@code Transfer-Encoding} stays: the codecs re-frame the
     * body with it, and {@code Connection} cannot remove the framing fields.
     */
    static void removeHopByHop(HttpHeaders h, boolean request) {
        List<String> named = new ArrayList<>();
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()
                        && !t.equals("content-length")
                        && !t.equals("transfer-encoding")
                        && !t.equals("host")) {
                    named.add(t);
                }
            }
        }
        named.forEach(h::remove);
        for (AsciiString name : new AsciiString[] {
            HttpHeaderNames.CONNECTION,
            PROXY_CONNECTION,
            KEEP_ALIVE,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHENTICATE
        }) {
            h.remove(name);
        }
        if (request) {
            List<String> proxyFields = new ArrayList<>();
            for (Map.Entry<String, String> e : h) {
                if (PROXY_PREFIX.contentEqualsIgnoreCase(
                        e.getKey().substring(0, Math.min(6, e.getKey().length())))) {
                    proxyFields.add(e.getKey());
                }
            }
            proxyFields.forEach(h::remove);
        }
    }
}
