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

import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import java.net.InetAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.egress.upstream.TargetResolver;
import org.masquerelay.pool.City;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.uri.Target;
import org.masquerelay.server.RelayRequestHandler;
import org.masquerelay.server.Upstream;

/**
 * One request stream of an inner connection at the egress. {@code CONNECT host:port}
 * (RFC 9114 §4.4) opens a TCP flow; an extended CONNECT with {@code :protocol connect-udp}
 * (RFC 9298) opens a UDP flow. Admission checks the signed location, which picks the city; the
 * open phase resolves the target, lets {@link org.masquerelay.egress.policy.DestinationPolicy}
 * judge every address, and dials from the city's pool ({@link
 * org.masquerelay.egress.upstream.TargetDialer}). Any failure before the 2xx is one error response
 * with {@code proxy-status} (docs/architecture.md §3 table).
 *
 * <p>Privacy (docs/architecture.md §2): the egress never learns the client's address; its logs
 * name targets only at DEBUG and never any peer address. Not sharable; runs on the stream's event
 * loop.
 */
public final class EgressRequestHandler extends RelayRequestHandler<QuicStreamChannel, EgressRequestHandler.Flow> {
    static final String NAME = "egress-request";

    /** What a request asks the egress to open. */
    record Flow(Target target, boolean udp) {}

    private final EgressContext context;
    /** The city the verified location maps to; null when geo routing is off. Set by admit. */
    private @Nullable City city;

    public EgressRequestHandler(EgressContext context) {
        super(context.metrics(), context.proxyName(), context::draining);
        this.context = context;
    }

    @Override
    protected void admit(QuicStreamChannel stream, Http3Headers h) {
        if (!"CONNECT".contentEquals(nullToEmpty(h.method()))) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "expected CONNECT");
        }
        // docs/architecture.md §4: the verified location picks the city whose pool the target is dialled from.
        city = context.locations().map(l -> l.cityFor(h).city()).orElse(null);
    }

    @Override
    protected Flow target(QuicStreamChannel stream, Http3Headers h) {
        CharSequence protocol = h.protocol();
        if (protocol == null) {
            return new Flow(parseAuthority(h.authority()), false);
        }
        if ("connect-udp".contentEquals(protocol)) {
            return new Flow(connectUdpTarget(h, context.template()), true);
        }
        throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "unsupported :protocol");
    }

    private static Target parseAuthority(CharSequence authority) {
        if (authority == null) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "missing :authority");
        }
        try {
            return Target.parse(authority.toString());
        } catch (ProtocolException e) {
            throw new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, "malformed :authority");
        }
    }

    @Override
    protected Future<Upstream> open(QuicStreamChannel stream, Flow flow) {
        if (!context.counter().tryAcquire(stream)) {
            throw new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.DOWNSTREAM, "flow limit reached");
        }
        Promise<Upstream> result = stream.eventLoop().newPromise();
        String kind = flow.udp() ? "udp tunnel" : "tcp flow";
        boolean named = flow.target().ipLiteral().isEmpty();
        long asked = System.nanoTime();
        context.resolver()
                .resolveAll(flow.target())
                .addListener((Future<List<InetAddress>> f) -> stream.eventLoop().execute(() -> {
                    long answered = System.nanoTime();
                    if (named && f.isSuccess()) {
                        context.metrics().phase("dns", kind, answered - asked);
                    }
                    if (!f.isSuccess()) {
                        result.setFailure(f.cause());
                        return;
                    }
                    if (!stream.isActive()) {
                        result.cancel(false);
                        return;
                    }
                    try {
                        List<InetAddress> permitted = TargetResolver.interleave(context.policy()
                                .permitted(
                                        f.getNow(),
                                        flow.target().port(),
                                        a -> context.dialer().routable(city, a)));
                        byte[] key = stream.parent()
                                .attr(EgressConnectionInitializer.CONNECTION_KEY)
                                .get();
                        int port = flow.target().port();
                        Future<Upstream> dialed = flow.udp()
                                ? context.dialer().openUdp(stream, key, city, permitted, port)
                                : context.dialer().dialTcp(stream, key, city, permitted, port);
                        dialed.addListener(d -> {
                            if (d.isSuccess()) {
                                context.metrics().phase("connect", kind, System.nanoTime() - answered);
                            }
                        });
                        PromiseNotifier.cascade(dialed, result);
                    } catch (RelayException e) {
                        result.setFailure(e);
                    }
                }));
        return result;
    }
}
