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
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.masquerelay.ingress.forwarding.QuicForwarding;
import org.masquerelay.ingress.policy.TokenAuthenticator;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.quicproxy.ProxyQuicForwarding;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.RequestStreams;
import org.masquerelay.server.RelayRequestHandler;
import org.masquerelay.server.Upstream;

/**
 * One client request stream at the ingress: admits an extended CONNECT for connect-udp (RFC 9298
 * §3, RFC 9220 §4) with a valid token, takes only a configured egress relay as its target, opens
 * one UDP socket toward that egress ({@link org.masquerelay.ingress.upstream.EgressDialer}), and
 * on the 2xx hands the stream to a {@link DatagramTunnelHandler}.
 *
 * <p>The same handler serves the QUIC listener's streams and the HTTP/2 listener's (RFC 9298
 * §3.3; docs/architecture.md §3.6): one policy for both. Only QUIC-aware forwarding
 * is QUIC's alone; an HTTP/2 request that offers it gets a tunnel without it.
 *
 * <p>Privacy (docs/architecture.md §2): the only target this handler ever sees is an egress relay
 * address. Logs name the egress at most, never anything from inside the tunnel.
 */
public final class ConnectUdpRequestHandler extends RelayRequestHandler<Channel, InetSocketAddress> {
    private final IngressContext context;
    /** The client's signed location, found in the open phase; empty when geolocation is off. */
    private Optional<String> assertion = Optional.empty();

    /** Forwarded mode as agreed with the client (docs/quic-forwarding.md); empty: tunnelled only. */
    private Optional<QuicForwarding.Negotiated> forwarding = Optional.empty();

    /** The request's verified, not yet spent token; empty when tokens are off. */
    private Optional<TokenAuthenticator.Verified> token = Optional.empty();

    public ConnectUdpRequestHandler(IngressContext context) {
        super(context.metrics(), context.proxyName(), context::draining);
        this.context = context;
    }

    @Override
    protected void admit(Channel stream, Http3Headers h) {
        // docs/architecture.md §5: first, so unauthorised clients learn nothing else. The token is
        // spent in open(), once every check that can refuse the request has passed.
        token = context.tokens().map(tokens -> tokens.verify(h));
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
    }

    @Override
    protected InetSocketAddress target(Channel stream, Http3Headers h) {
        InetSocketAddress egress = context.egressRelays().lookup(connectUdpTarget(h, context.template()));
        if (egress == null) {
            // Never name what was asked for: it may be a target the ingress must not learn.
            throw new RelayException(
                    ProxyErrorType.HTTP_REQUEST_DENIED, Side.DOWNSTREAM, "not a configured egress relay");
        }
        if (stream instanceof QuicStreamChannel) {
            forwarding = context.forwarding().flatMap(f -> f.negotiate(h));
        }
        return egress;
    }

    @Override
    protected Future<Upstream> open(Channel stream, InetSocketAddress egress) {
        // docs/architecture.md §4: locate the client before opening anything, so that the
        // unknown-location policy can still refuse it.
        InetSocketAddress client = RequestStreams.peerAddress(stream);
        if (client == null) {
            throw new RelayException(ProxyErrorType.CONNECTION_TERMINATED, Side.DOWNSTREAM, "connection closed");
        }
        assertion = context.locator().map(locator -> locator.assertionFor(client.getAddress()));
        if (!context.counter().tryAcquire(stream)) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.DOWNSTREAM, "tunnel limit reached");
        }
        // Last: a refusal above cost the client no token. A double spend raced past verify()
        // is refused here, and the slot taken above goes back when the stream closes.
        if (token.isEmpty()) {
            return dial(stream, egress);
        }
        // A shared store answers over the network: wait for it without blocking the event loop,
        // then dial on the stream's own loop.
        Promise<Upstream> opened = stream.eventLoop().newPromise();
        context.tokens()
                .orElseThrow()
                .spend(token.get())
                .whenComplete((ok, error) -> stream.eventLoop().execute(() -> {
                    if (error != null) {
                        opened.tryFailure(error.getCause() instanceof RelayException r ? r : error);
                    } else if (stream.isActive()) {
                        PromiseNotifier.cascade(dial(stream, egress), opened);
                    } else {
                        opened.tryFailure(new RelayException(
                                ProxyErrorType.CONNECTION_TERMINATED, Side.DOWNSTREAM, "stream closed"));
                    }
                }));
        return opened;
    }

    /** Opens the socket toward the egress, with forwarded mode if the client and we agreed on it. */
    private Future<Upstream> dial(Channel stream, InetSocketAddress egress) {
        return context.dialer()
                .open(
                        stream,
                        egress,
                        forwarding
                                .map(n -> context.forwarding().orElseThrow().session((QuicStreamChannel) stream, n))
                                .orElse(null));
    }

    /** docs/architecture.md §4: the coarse, signed location goes back in the 2xx; the client passes it on. */
    @Override
    protected void responseHeaders(Channel stream, Http3Headers ok) {
        assertion.ifPresent(a -> ok.set(GeoAssertion.FIELD, a));
        forwarding.ifPresent(n -> ok.set(ProxyQuicForwarding.FIELD, n.responseField()));
    }
}
