package org.masquerelay.egress.downstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.masquerelay.egress.upstream.TargetResolver;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.ErrorResponder;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.protocol.uri.Authority;
import org.masquerelay.protocol.uri.UdpTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request stream of an inner connection at the egress. {@code CONNECT host:port}
 * (RFC 9114 §4.4) opens a TCP flow; an extended CONNECT with {@code :protocol connect-udp}
 * (RFC 9298) opens a UDP flow. Both resolve the target, apply the destination policy to every
 * address, bind a source address from the selector, then answer 200 and relay; any failure
 * before that is one error response with {@code proxy-status} (DESIGN §3 table).
 *
 * <p>Privacy (DESIGN §2): the egress never learns the client's address; its logs name targets
 * only at DEBUG and never any peer address. Not sharable; runs on the stream's event loop.
 */
public final class EgressRequestHandler extends Http3RequestStreamInboundHandler {
    static final String NAME = "egress-request";
    private static final Logger log = LoggerFactory.getLogger(EgressRequestHandler.class);

    enum State { AWAITING_HEADERS, OPENING, OPEN, CLOSED }

    private final EgressContext context;
    private State state = State.AWAITING_HEADERS;
    private boolean slotHeld;

    public EgressRequestHandler(EgressContext context) {
        this.context = context;
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        if (state != State.AWAITING_HEADERS) {
            return;
        }
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        try {
            Http3Headers h = frame.headers();
            if (context.draining()) {
                throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.INTERNAL, "relay is draining");
            }
            if (!"CONNECT".contentEquals(nz(h.method()))) {
                throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "expected CONNECT");
            }
            CharSequence protocol = h.protocol();
            if (protocol == null) {
                Authority target = parseAuthority(h.authority());
                acquireSlot(stream);
                state = State.OPENING;
                resolveThen(stream, target.host(), addresses -> dialTcp(ctx, stream, addresses, target.port()));
            } else if ("connect-udp".contentEquals(protocol)) {
                UdpTarget target = parseUdpTarget(h);
                acquireSlot(stream);
                state = State.OPENING;
                resolveThen(stream, target.host(), addresses -> openUdp(ctx, stream, addresses, target.port()));
            } else {
                throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM,
                        "unsupported :protocol");
            }
        } catch (RelayException e) {
            fail(stream, e);
        }
    }

    private static Authority parseAuthority(CharSequence authority) {
        if (authority == null) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "missing :authority");
        }
        try {
            return Authority.parse(authority.toString());
        } catch (ProtocolException e) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "malformed :authority");
        }
    }

    private UdpTarget parseUdpTarget(Http3Headers h) {
        if (h.path() == null || !"https".contentEquals(nz(h.scheme()))) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "missing :path or :scheme");
        }
        CharSequence cp = h.get("capsule-protocol");
        if (cp == null || !"?1".contentEquals(cp)) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM,
                    "missing capsule-protocol: ?1");
        }
        try {
            return context.template().match(h.path().toString()).orElseThrow(() -> new RelayException(
                    ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "path does not match the connect-udp template"));
        } catch (ProtocolException e) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "malformed target");
        }
    }

    private void acquireSlot(QuicStreamChannel stream) {
        int[] mine = stream.parent().attr(EgressConnectionInitializer.FLOWS).get();
        if (mine[0] >= context.maxFlowsPerConnection()) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.DOWNSTREAM, "flow limit reached");
        }
        if (context.flows().incrementAndGet() > context.maxFlows()) {
            context.flows().decrementAndGet();
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.INTERNAL, "flow limit reached");
        }
        mine[0]++;
        slotHeld = true;
        stream.closeFuture().addListener(f -> {
            if (slotHeld) {
                slotHeld = false;
                mine[0]--;
                context.flows().decrementAndGet();
            }
        });
    }

    private interface AddressesConsumer {
        void accept(List<InetAddress> addresses);
    }

    /** Resolves, applies the destination policy, and continues on the stream's event loop. */
    private void resolveThen(QuicStreamChannel stream, String host, AddressesConsumer next) {
        EventLoop loop = stream.eventLoop();
        context.resolver().resolveAll(host).addListener((Future<List<InetAddress>> f) -> loop.execute(() -> {
            if (!stream.isActive()) {
                return;
            }
            if (!f.isSuccess()) {
                fail(stream, asRelayException(f.cause()));
                return;
            }
            List<InetAddress> permitted = new ArrayList<>();
            boolean prohibited = false;
            for (InetAddress a : f.getNow()) {
                if (!context.policy().permits(a)) {
                    prohibited = true;
                } else if (context.sources().supports(a.getAddress().length == 16)) {
                    permitted.add(a);
                }
            }
            if (permitted.isEmpty()) {
                fail(stream, prohibited
                        ? new RelayException(ProxyErrorType.DESTINATION_IP_PROHIBITED, Side.DOWNSTREAM, null)
                        : new RelayException(ProxyErrorType.DESTINATION_IP_UNROUTABLE, Side.UPSTREAM,
                                "no source address for the target's address family"));
                return;
            }
            try {
                next.accept(TargetResolver.interleave(permitted));
            } catch (RelayException e) {
                fail(stream, e);
            }
        }));
    }

    private Optional<InetAddress> source(QuicStreamChannel stream, boolean ipv6) {
        Long key = stream.parent().attr(EgressConnectionInitializer.CONNECTION_KEY).get();
        return context.sources().select(key == null ? 0 : key, ipv6);
    }

    private void dialTcp(ChannelHandlerContext ctx, QuicStreamChannel stream, List<InetAddress> addresses, int port) {
        EventLoop tcpLoop = context.tcpGroup().next();
        context.connector().connect(tcpLoop, addresses, port, (target, v6) -> source(stream, v6))
                .addListener((Future<Channel> f) -> stream.eventLoop().execute(() -> {
                    if (!f.isSuccess()) {
                        fail(stream, asRelayException(f.cause()));
                        return;
                    }
                    Channel tcp = f.getNow();
                    if (!stream.isActive()) {
                        tcp.close();
                        return;
                    }
                    state = State.OPEN;
                    context.metrics().tunnelOpened();
                    tcp.closeFuture().addListener(x -> context.metrics().tunnelClosed());
                    stream.writeAndFlush(new DefaultHttp3HeadersFrame(new DefaultHttp3Headers().status("200")));
                    ByteStreamRelay.start(stream, NAME, tcp, context.metrics());
                    log.debug("tcp flow open on stream {}", stream.streamId());
                }));
    }

    private void openUdp(ChannelHandlerContext ctx, QuicStreamChannel stream, List<InetAddress> addresses, int port) {
        InetAddress target = addresses.get(0); // interleaved: IPv6 first when permitted
        boolean v6 = target.getAddress().length == 16;
        UdpSocketBridge bridge = new UdpSocketBridge(context.metrics());
        DatagramTunnelHandler tunnel = new DatagramTunnelHandler(stream, bridge, context.metrics());
        bridge.tunnel(tunnel);
        Channel udp = new Bootstrap()
                .group(stream.eventLoop())
                .channel(EpollDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, context.udpIdleTimeout().toMillis(),
                                TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(bridge);
                    }
                })
                .register().channel();
        Optional<InetAddress> local = source(stream, v6);
        InetSocketAddress bindTo = new InetSocketAddress(local.orElse(null), 0);
        udp.bind(bindTo).addListener(b -> {
            if (!b.isSuccess()) {
                udp.close();
                fail(stream, new RelayException(ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL,
                        "cannot bind source address", b.cause()));
                return;
            }
            udp.connect(new InetSocketAddress(target, port)).addListener(c -> {
                if (!c.isSuccess()) {
                    udp.close();
                    fail(stream, new RelayException(ProxyErrorType.DESTINATION_IP_UNROUTABLE, Side.UPSTREAM, null,
                            c.cause()));
                    return;
                }
                if (!stream.isActive()) {
                    udp.close();
                    return;
                }
                state = State.OPEN;
                context.metrics().tunnelOpened();
                udp.closeFuture().addListener(x -> context.metrics().tunnelClosed());
                Http3Headers ok = new DefaultHttp3Headers().status("200");
                ok.set("capsule-protocol", "?1");
                ctx.pipeline().replace(this, "tunnel", tunnel);
                stream.writeAndFlush(new DefaultHttp3HeadersFrame(ok));
                log.debug("udp flow open on stream {}", stream.streamId());
            });
        });
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        // Data before our 2xx: for TCP the client must wait (RFC 9114 §4.4); for UDP it is an
        // optimistic datagram, dropped like a lost packet.
        context.metrics().datagramDropped("before_response");
        ReferenceCountUtil.release(frame);
    }

    @Override
    protected void channelInputClosed(ChannelHandlerContext ctx) {
        if (state != State.OPEN) {
            state = State.CLOSED;
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("request stream error: {}", cause.toString());
        state = State.CLOSED;
        ctx.close();
    }

    private static RelayException asRelayException(Throwable t) {
        if (t instanceof RelayException r) {
            return r;
        }
        return new RelayException(ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL, null, t);
    }

    private void fail(QuicStreamChannel stream, RelayException e) {
        state = State.CLOSED;
        context.metrics().error(e.type().token());
        if (e.side() == Side.INTERNAL && e.type() == ProxyErrorType.PROXY_INTERNAL_ERROR) {
            log.error("internal error on stream {}: {}", stream.streamId(), e.getMessage(), e.getCause());
        } else {
            log.debug("refused stream {}: {}", stream.streamId(), e.type().token());
        }
        ErrorResponder.respond(stream, context.proxyName(), e);
    }

    private static CharSequence nz(CharSequence s) {
        return s == null ? "" : s;
    }
}
