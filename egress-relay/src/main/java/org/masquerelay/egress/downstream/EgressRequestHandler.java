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
package org.masquerelay.egress.downstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.masquerelay.egress.upstream.TargetResolver;
import org.masquerelay.pool.City;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.protocol.uri.Authority;
import org.masquerelay.protocol.uri.UdpTarget;
import org.masquerelay.server.RelayRequestHandler;

/**
 * One request stream of an inner connection at the egress. {@code CONNECT host:port}
 * (RFC 9114 §4.4) opens a TCP flow; an extended CONNECT with {@code :protocol connect-udp}
 * (RFC 9298) opens a UDP flow. Both resolve the target, apply the destination policy to every
 * address, bind a source address from the selector, then answer 200 and relay; any failure
 * before that is one error response with {@code proxy-status} (docs/architecture.md §3 table).
 *
 * <p>Privacy (docs/architecture.md §2): the egress never learns the client's address; its logs name targets
 * only at DEBUG and never any peer address. Not sharable; runs on the stream's event loop.
 */
public final class EgressRequestHandler extends RelayRequestHandler {
    static final String NAME = "egress-request";

    private final EgressContext context;

    public EgressRequestHandler(EgressContext context) {
        super(context.metrics(), context.proxyName());
        this.context = context;
    }

    @Override
    protected void onRequest(ChannelHandlerContext ctx, QuicStreamChannel stream, Http3Headers h) {
        if (context.draining()) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.INTERNAL, "relay is draining");
        }
        if (!"CONNECT".contentEquals(nullToEmpty(h.method()))) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "expected CONNECT");
        }
        CharSequence protocol = h.protocol();
        // docs/architecture.md §4: the verified location picks the city whose pool the target is dialled from.
        City city = context.locations() == null
                ? null
                : context.locations().cityFor(h).city();
        if (protocol == null) {
            Authority target = parseAuthority(h.authority());
            acquireSlot(stream);
            resolveThen(stream, city, target.host(), addresses -> dialTcp(stream, city, addresses, target.port()));
        } else if ("connect-udp".contentEquals(protocol)) {
            UdpTarget target = connectUdpTarget(h, context.template());
            acquireSlot(stream);
            resolveThen(stream, city, target.host(), addresses -> openUdp(ctx, stream, city, addresses, target.port()));
        } else {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "unsupported :protocol");
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

    private void acquireSlot(QuicStreamChannel stream) {
        if (!context.counter().tryAcquire(stream)) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.DOWNSTREAM, "flow limit reached");
        }
    }

    private interface AddressesConsumer {
        void accept(List<InetAddress> addresses);
    }

    /** Resolves, applies the destination policy, and continues on the stream's event loop. */
    private void resolveThen(QuicStreamChannel stream, City city, String host, AddressesConsumer next) {
        EventLoop loop = stream.eventLoop();
        context.resolver()
                .resolveAll(host)
                .addListener((Future<List<InetAddress>> f) -> loop.execute(() -> {
                    if (!stream.isActive()) {
                        return;
                    }
                    if (!f.isSuccess()) {
                        fail(stream, asRelayException(f.cause()));
                        return;
                    }
                    try {
                        List<InetAddress> permitted = context.policy()
                                .permitted(
                                        f.getNow(), a -> context.sources().supports(city, a.getAddress().length == 16));
                        next.accept(TargetResolver.interleave(permitted));
                    } catch (RelayException e) {
                        fail(stream, e);
                    }
                }));
    }

    private Optional<InetAddress> source(QuicStreamChannel stream, City city, boolean ipv6) {
        byte[] key =
                stream.parent().attr(EgressConnectionInitializer.CONNECTION_KEY).get();
        return context.sources().select(key, city, ipv6);
    }

    private void dialTcp(QuicStreamChannel stream, City city, List<InetAddress> addresses, int port) {
        EventLoop tcpLoop = context.tcpGroup().next();
        context.connector()
                .connect(tcpLoop, addresses, port, (target, v6) -> source(stream, city, v6))
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
                    opened(tcp);
                    stream.writeAndFlush(new DefaultHttp3HeadersFrame(new DefaultHttp3Headers().status("200")));
                    ByteStreamRelay.start(stream, NAME, tcp, context.metrics());
                    log.debug("tcp flow open on stream {}", stream.streamId());
                }));
    }

    private void openUdp(
            ChannelHandlerContext ctx, QuicStreamChannel stream, City city, List<InetAddress> addresses, int port) {
        InetAddress target = addresses.get(0); // interleaved: IPv6 first when permitted
        boolean v6 = target.getAddress().length == 16;
        UdpSocketBridge bridge = UdpSocketBridge.forStream(stream, context.metrics());
        Channel udp = bridge.bootstrap(EpollDatagramChannel.class, context.udpIdleTimeout())
                .register()
                .channel();
        Optional<InetAddress> local = source(stream, city, v6);
        InetSocketAddress bindTo = new InetSocketAddress(local.orElse(null), 0);
        udp.bind(bindTo).addListener(b -> {
            if (!b.isSuccess()) {
                udp.close();
                fail(
                        stream,
                        new RelayException(
                                ProxyErrorType.PROXY_INTERNAL_ERROR,
                                Side.INTERNAL,
                                "cannot bind source address",
                                b.cause()));
                return;
            }
            completeUdpOpen(
                    ctx,
                    bridge,
                    udp,
                    udp.connect(new InetSocketAddress(target, port)),
                    cause -> new RelayException(ProxyErrorType.DESTINATION_IP_UNROUTABLE, Side.UPSTREAM, null, cause));
        });
    }
}
