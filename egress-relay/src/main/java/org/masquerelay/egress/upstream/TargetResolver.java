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
package org.masquerelay.egress.upstream;

import io.netty.channel.EventLoop;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.masquerelay.config.IoTransport;
import org.masquerelay.egress.config.DnsConfig;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.uri.Target;

/**
 * Resolves target names with Netty's asynchronous DNS resolver: A and AAAA both (so Happy
 * Eyeballs has both families), answers cached by TTL up to a cap, NXDOMAIN cached briefly.
 * IP literals never touch DNS. Failures become {@code dns_error} or {@code dns_timeout}
 * (RFC 9209 §2.3.1, §2.3.2).
 */
public final class TargetResolver implements AutoCloseable {
    private final DnsNameResolver resolver;
    private final EventLoop loop;

    public TargetResolver(EventLoop loop, DnsConfig config) {
        this.loop = loop;
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop)
                .datagramChannelType(IoTransport.current().datagramChannel())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV6_PREFERRED)
                .queryTimeoutMillis(config.timeout().toMillis())
                .resolveCache(new DefaultDnsCache(0, (int) config.maxCacheTtl().toSeconds(), (int)
                        config.negativeCacheTtl().toSeconds()))
                .optResourceEnabled(true)
                .recursionDesired(true);
        List<InetSocketAddress> servers = config.serverAddresses();
        if (servers.isEmpty()) {
            b.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
        } else {
            b.nameServerProvider(
                    new SequentialDnsServerAddressStreamProvider(servers.toArray(new InetSocketAddress[0])));
        }
        resolver = b.build();
    }

    /**
     * All addresses of the target's host, completed on the resolver's event loop; an IP literal
     * is its own answer. Fails with a {@link RelayException}.
     */
    public Future<List<InetAddress>> resolveAll(Target target) {
        Promise<List<InetAddress>> out = loop.newPromise();
        Optional<InetAddress> literal = target.ipLiteral();
        if (literal.isPresent()) {
            return out.setSuccess(List.of(literal.get()));
        }
        resolver.resolveAll(target.host()).addListener((Future<List<InetAddress>> f) -> {
            if (f.isSuccess()) {
                out.setSuccess(f.getNow());
            } else if (isTimeout(f.cause())) {
                out.setFailure(new RelayException(ProxyErrorType.DNS_TIMEOUT, Side.UPSTREAM, null, f.cause()));
            } else {
                out.setFailure(new RelayException(ProxyErrorType.DNS_ERROR, Side.UPSTREAM, null, f.cause()));
            }
        });
        return out;
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DnsNameResolverTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Orders addresses per RFC 8305 §4: interleave families, starting with IPv6. */
    public static List<InetAddress> interleave(List<InetAddress> addresses) {
        List<InetAddress> v6 =
                addresses.stream().filter(a -> a.getAddress().length == 16).toList();
        List<InetAddress> v4 =
                addresses.stream().filter(a -> a.getAddress().length == 4).toList();
        java.util.ArrayList<InetAddress> out = new java.util.ArrayList<>(addresses.size());
        for (int i = 0; i < Math.max(v4.size(), v6.size()); i++) {
            if (i < v6.size()) {
                out.add(v6.get(i));
            }
            if (i < v4.size()) {
                out.add(v4.get(i));
            }
        }
        return out;
    }

    @Override
    public void close() {
        resolver.close();
    }
}
