package org.masquerelay.ingress.downstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.ErrorResponder;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.protocol.uri.UdpTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request stream at the ingress: validates an extended CONNECT for connect-udp
 * (RFC 9298 §3, RFC 9220 §4), admits it only toward a configured egress relay, opens one UDP
 * socket toward that egress, answers 200 and hands the stream to a {@link DatagramTunnelHandler}.
 *
 * <p>State moves AWAITING_HEADERS → OPENING → OPEN (handler replaced) or → CLOSED on any error.
 * Not sharable; runs on the stream's event loop, which is also the connection's, and the UDP
 * socket is registered on the same loop so the data path never crosses threads.
 *
 * <p>Privacy (DESIGN §2): the only target this handler ever sees is an egress relay address.
 * Logs name the egress at most, never anything from inside the tunnel.
 */
public final class ConnectUdpRequestHandler extends Http3RequestStreamInboundHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectUdpRequestHandler.class);

    enum State { AWAITING_HEADERS, OPENING, OPEN, CLOSED }

    private final IngressContext context;
    private State state = State.AWAITING_HEADERS;
    private boolean slotHeld;

    public ConnectUdpRequestHandler(IngressContext context) {
        this.context = context;
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        if (state != State.AWAITING_HEADERS) {
            return; // trailers: nothing to do for connect-udp
        }
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        try {
            InetSocketAddress egress = admit(frame.headers());
            if (!context.counter().tryAcquire(stream.parent())) {
                throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.DOWNSTREAM,
                        "tunnel limit reached");
            }
            slotHeld = true;
            stream.closeFuture().addListener(f -> releaseSlot(stream));
            state = State.OPENING;
            openUpstream(ctx, stream, egress);
        } catch (RelayException e) {
            fail(stream, e);
        }
    }

    private InetSocketAddress admit(Http3Headers h) {
        if (context.draining()) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.INTERNAL, "relay is draining");
        }
        if (!"CONNECT".contentEquals(nullToEmpty(h.method())) || !"connect-udp".contentEquals(nullToEmpty(h.protocol()))) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM,
                    "expected extended CONNECT with :protocol connect-udp");
        }
        if (!"https".contentEquals(nullToEmpty(h.scheme())) || h.authority() == null || h.path() == null) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM,
                    "missing :scheme https, :authority or :path");
        }
        CharSequence capsuleProtocol = h.get("capsule-protocol");
        if (capsuleProtocol == null || !"?1".contentEquals(capsuleProtocol)) {
            // RFC 9298 §3.4: the request carries Capsule-Protocol: ?1.
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM,
                    "missing capsule-protocol: ?1");
        }
        Optional<UdpTarget> target;
        try {
            target = context.template().match(h.path().toString());
        } catch (ProtocolException e) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "malformed target");
        }
        if (target.isEmpty()) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM,
                    "path does not match the connect-udp template");
        }
        InetSocketAddress egress = context.egressRelays().lookup(target.get());
        if (egress == null) {
            // Never name what was asked for: it may be a target the ingress must not learn.
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_DENIED, Side.DOWNSTREAM,
                    "not a configured egress relay");
        }
        return egress;
    }

    private void openUpstream(ChannelHandlerContext ctx, QuicStreamChannel stream, InetSocketAddress egress) {
        UdpSocketBridge bridge = new UdpSocketBridge(context.metrics());
        DatagramTunnelHandler tunnel = new DatagramTunnelHandler(stream, bridge, context.metrics());
        bridge.tunnel(tunnel);
        Bootstrap b = new Bootstrap()
                .group(stream.eventLoop())
                .channel(EpollDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        long idle = context.idleTimeout().toMillis();
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(bridge);
                    }
                });
        Channel udp = b.register().channel();
        ChannelFuture connect = udp.connect(egress);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                udp.close();
                fail(stream, new RelayException(ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL,
                        "cannot open socket to egress", f.cause()));
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
            log.debug("tunnel open on stream {}", stream.streamId());
        });
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        // Capsules sent before our 2xx (optimistic datagrams) are dropped like lost packets.
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

    private void fail(QuicStreamChannel stream, RelayException e) {
        state = State.CLOSED;
        context.metrics().error(e.type().token());
        if (e.side() == Side.INTERNAL && e.type() != ProxyErrorType.CONNECTION_LIMIT_REACHED) {
            log.error("internal error on stream {}: {}", stream.streamId(), e.getMessage(), e.getCause());
        } else {
            log.debug("refused stream {}: {}", stream.streamId(), e.type().token());
        }
        ErrorResponder.respond(stream, context.proxyName(), e);
    }

    private void releaseSlot(QuicStreamChannel stream) {
        if (slotHeld) {
            slotHeld = false;
            context.counter().release(stream.parent());
        }
    }

    private static CharSequence nullToEmpty(CharSequence s) {
        return s == null ? "" : s;
    }
}
