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
package org.masquerelay.ingress.downstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.net.InetSocketAddress;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.server.RelayRequestHandler;

/**
 * One client request stream at the ingress: validates an extended CONNECT for connect-udp
 * (RFC 9298 §3, RFC 9220 §4), admits it only toward a configured egress relay, opens one UDP
 * socket toward that egress, answers 200 and hands the stream to a {@link DatagramTunnelHandler}.
 * The UDP socket is registered on the stream's event loop, so the data path never crosses
 * threads.
 *
 * <p>Privacy (docs/architecture.md §2): the only target this handler ever sees is an egress relay address.
 * Logs name the egress at most, never anything from inside the tunnel.
 */
public final class ConnectUdpRequestHandler extends RelayRequestHandler {
    private final IngressContext context;

    public ConnectUdpRequestHandler(IngressContext context) {
        super(context.metrics(), context.proxyName());
        this.context = context;
    }

    @Override
    protected void onRequest(ChannelHandlerContext ctx, QuicStreamChannel stream, Http3Headers h) {
        InetSocketAddress egress = admit(h);
        Http3Headers extra = null;
        if (context.locator() != null) {
            // docs/architecture.md §4: the coarse, signed location goes back in the 2xx; the client passes it on.
            InetSocketAddress client = (InetSocketAddress) stream.parent().remoteSocketAddress();
            extra = new DefaultHttp3Headers()
                    .set(GeoAssertion.FIELD, context.locator().assertionFor(client.getAddress()));
        }
        if (!context.counter().tryAcquire(stream)) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.DOWNSTREAM, "tunnel limit reached");
        }
        UdpSocketBridge bridge = UdpSocketBridge.forStream(stream, context.metrics());
        Channel udp = bridge.bootstrap(EpollDatagramChannel.class, context.idleTimeout())
                .register()
                .channel();
        completeUdpOpen(
                ctx,
                bridge,
                udp,
                udp.connect(egress),
                cause -> new RelayException(
                        ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL, "cannot open socket to egress", cause),
                extra);
    }

    private InetSocketAddress admit(Http3Headers h) {
        if (context.draining()) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.INTERNAL, "relay is draining");
        }
        if (context.tokens() != null) {
            context.tokens().admit(h); // docs/architecture.md §5: first, so unauthorised clients learn nothing else
        }
        if (!"CONNECT".contentEquals(nullToEmpty(h.method()))
                || !"connect-udp".contentEquals(nullToEmpty(h.protocol()))) {
            throw new RelayException(
                    ProxyErrorType.HTTP_REQUEST_ERROR,
                    Side.DOWNSTREAM,
                    "expected extended CONNECT with :protocol connect-udp");
        }
        if (h.authority() == null) {
            throw new RelayException(
                    ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "missing :scheme https, :authority or :path");
        }
        InetSocketAddress egress = context.egressRelays().lookup(connectUdpTarget(h, context.template()));
        if (egress == null) {
            // Never name what was asked for: it may be a target the ingress must not learn.
            throw new RelayException(
                    ProxyErrorType.HTTP_REQUEST_DENIED, Side.DOWNSTREAM, "not a configured egress relay");
        }
        return egress;
    }
}
