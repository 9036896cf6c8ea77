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
package org.masquerelay.egress;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.AdminConfig;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.egress.config.EgressLimitsConfig;
import org.masquerelay.egress.downstream.EgressConnectionInitializer;
import org.masquerelay.egress.downstream.EgressContext;
import org.masquerelay.egress.policy.DestinationPolicy;
import org.masquerelay.egress.policy.HostAddresses;
import org.masquerelay.egress.policy.IngressFilterHandler;
import org.masquerelay.egress.policy.LocationVerifier;
import org.masquerelay.egress.upstream.ConfiguredSourceAddresses;
import org.masquerelay.egress.upstream.HappyEyeballsConnector;
import org.masquerelay.egress.upstream.PoolSourceAddresses;
import org.masquerelay.egress.upstream.SourceAddressSelector;
import org.masquerelay.egress.upstream.StalledUploads;
import org.masquerelay.egress.upstream.TargetDialer;
import org.masquerelay.egress.upstream.TargetResolver;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.masquerelay.server.Relay;
import org.masquerelay.server.RelayConnections;
import org.masquerelay.server.RelayMetrics;
import org.masquerelay.server.RelayQuic;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.TunnelCounter;

/**
 * The egress relay's lifecycle: bind the QUIC listener (answering only configured ingress
 * prefixes) and the admin listener; on shutdown send GOAWAY, drain until every flow ended or the
 * deadline passed, then close.
 */
public final class EgressServer extends Relay<EgressConfig> {
    /**
     * The largest inner QUIC packet the egress grows to by path MTU discovery; it starts at 1200.
     * It must fit one outer DATAGRAM frame (docs/architecture.md §3): 1350 leaves room for the
     * outer QUIC and HTTP Datagram overhead at a 1452-byte outer payload, and stays at or below
     * what a default client announces as its max_udp_payload_size (RFC 9000 §18.2).
     */
    public static final int MAX_UDP_PAYLOAD = 1350;

    /**
     * The inner connection's MAX_DATA (RFC 9000 §4.1): the largest varint, so uploads whose
     * targets stop reading cannot use up the connection's credit and stall the other flows on it.
     */
    public static final long INNER_MAX_DATA = (1L << 62) - 1;

    /** What a reload rebuilds from, and keeps: the resolver, the TCP loops and the flow counts. */
    private static final class Live {
        final AtomicReference<EgressContext> context = new AtomicReference<>();

        /** The settings of new tunnels; set before the first socket is bound. */
        EgressContext current() {
            return Objects.requireNonNull(context.get(), "context");
        }

        @Nullable
        TargetResolver resolver;

        /** The host's addresses, watched while a listener is on a wildcard address. */
        @Nullable
        HostAddresses host;

        @Nullable
        EventLoopGroup tcpGroup;

        @Nullable
        TunnelCounter counter;

        @Nullable
        RelayConnections connections;

        /** Uploads stalled by their targets now, and reset for a connection's budget so far. */
        final StalledUploads.Counts stalledUploads = new StalledUploads.Counts();

        /** The published geofeed, rebuilt from the pool on every reload; null without geo routing. */
        final AtomicReference<@Nullable EgressRanges> ranges = new AtomicReference<>();
    }

    private final Live live;

    private EgressServer(EgressConfig config, RelayMetrics metrics, RelayServer server, Live live) {
        super(config, metrics, server);
        this.live = live;
    }

    /**
     * docs/architecture.md §7: the destination allowlist, source addresses, the city pool and the
     * geo-assertion keys, flow limits and timeouts, and the proxy name apply to new flows. The
     * listen and admin addresses, TLS, DNS, the ingress prefixes and whether geo routing is on at
     * all need a restart: a reload that changes them is refused.
     */
    @Override
    protected void apply(EgressConfig current, EgressConfig next) {
        List<String> fixed = new ArrayList<>();
        unchanged(fixed, "listen", current.listen(), next.listen());
        unchanged(fixed, "tls", current.tls(), next.tls());
        unchanged(fixed, "admin", current.admin(), next.admin());
        unchanged(fixed, "dns", current.dns(), next.dns());
        unchanged(fixed, "ingress-prefixes", current.ingressPrefixes(), next.ingressPrefixes());
        unchanged(fixed, "geo", current.geo() == null, next.geo() == null);
        refuseIfAny(fixed);
        PoolRegistry pool;
        EgressRanges ranges;
        try {
            Path poolFile = next.geo() == null
                    ? null
                    : Objects.requireNonNull(next.geo().pool(), "geo.pool");
            pool = poolFile == null ? null : PoolRegistry.load(poolFile);
            ranges = pool == null ? null : EgressRanges.of(pool, Objects.requireNonNull(poolFile));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("geo.pool: " + e.getMessage(), e);
        }
        live.context.set(context(next, sources(next, pool), pool, metrics(), live));
        // The published feed follows the pool the egress now routes with (RFC 8805 §2: publish
        // what you use), so a site polling it sees the change with a new ETag.
        live.ranges.set(ranges);
    }

    private static SourceAddressSelector sources(EgressConfig config, @Nullable PoolRegistry pool) {
        return pool == null
                ? new ConfiguredSourceAddresses(config.sourceAddressList())
                : new PoolSourceAddresses(pool, Clock.systemUTC());
    }

    /** The settings of new flows under {@code config}; keeps the live resolver, loops and counter. */
    private static EgressContext context(
            EgressConfig config,
            SourceAddressSelector sources,
            @Nullable PoolRegistry pool,
            RelayMetrics metrics,
            Live live) {
        EgressLimitsConfig limits = config.limitsOrDefault();
        DestinationPolicy policy = new DestinationPolicy(
                config.destinationsOrDefault().allowList(),
                new DestinationPolicy.Own(
                        ownPrefixes(config, pool), listeners(config), Objects.requireNonNull(live.host)));
        Optional<LocationVerifier> locations = pool == null
                ? Optional.empty()
                : Optional.of(
                        LocationVerifier.of(Objects.requireNonNull(config.geo(), "geo"), pool, Clock.systemUTC()));
        TargetDialer dialer = new TargetDialer(
                new HappyEyeballsConnector(limits.connectTimeout()),
                Objects.requireNonNull(live.tcpGroup),
                sources,
                limits.udpIdleTimeout(),
                metrics,
                limits.stalledUploadsPerConnection(),
                live.stalledUploads);
        TunnelCounter counter = Objects.requireNonNull(live.counter);
        // Only after everything that can fail: a refused reload leaves the limits as they were.
        counter.limits(limits.maxFlows(), limits.maxFlowsPerConnection());
        return new EgressContext(
                UdpProxyTemplate.defaultTemplate(),
                config.proxyNameOrDefault(),
                policy,
                Objects.requireNonNull(live.resolver),
                dialer,
                counter,
                metrics,
                Objects.requireNonNull(live.connections)::draining,
                locations);
    }

    private static EgressServer create(
            EgressConfig config, int threads, SourceAddressSelector sources, @Nullable PoolRegistry pool)
            throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RelayMetrics metrics = new RelayMetrics(
                registry,
                "masque_egress",
                "flows",
                "Open inner QUIC connections (from ingress relays)",
                "Open CONNECT and connect-udp flows");
        RelayConnections connections = new RelayConnections("egress-connections", metrics, Integer.MAX_VALUE);
        EgressLimitsConfig limits = config.limitsOrDefault();
        RelayServer.Builder builder = RelayServer.builder("egress")
                .listen(config.listenAddress())
                .threads(threads)
                .connections(connections, registry)
                .admin(Optional.ofNullable(config.admin()).map(AdminConfig::listenAddress));
        Live live = new Live();
        if (pool != null) { // then geo is set, see start()
            Path poolFile = Objects.requireNonNull(config.geo(), "geo").pool();
            live.ranges.set(EgressRanges.of(pool, Objects.requireNonNull(poolFile)));
            builder.adminRoute(
                    EgressRanges.PATH,
                    ex -> Objects.requireNonNull(live.ranges.get(), "ranges").handle(ex));
        }
        RelayServer server = builder.pipeline((group, resources) -> {
                    MultiThreadIoEventLoopGroup tcpGroup = new MultiThreadIoEventLoopGroup(
                            threads, new DefaultThreadFactory("egress-tcp"), NioIoHandler.newFactory());
                    resources.push(() -> tcpGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                            .awaitUninterruptibly(5, TimeUnit.SECONDS));
                    live.tcpGroup = tcpGroup;
                    TargetResolver resolver = new TargetResolver(group.next(), config.dnsOrDefault());
                    resources.push(resolver);
                    live.resolver = resolver;
                    HostAddresses host = listensOnWildcard(config)
                            ? HostAddresses.watch(HostAddresses.DEFAULT_REFRESH)
                            : HostAddresses.none();
                    resources.push(host);
                    live.host = host;
                    live.counter = new TunnelCounter(limits.maxFlows(), limits.maxFlowsPerConnection());
                    live.connections = connections;
                    live.context.set(context(config, sources, pool, metrics, live));
                    IngressFilterHandler filter = new IngressFilterHandler(config.ingressPrefixList());
                    TlsConfig tls = Objects.requireNonNull(config.tls(), "tls");
                    metrics.gauge(
                            "masque_egress_unauthorized_packets_dropped",
                            "UDP packets dropped because their source is not a configured ingress",
                            filter::dropped);
                    metrics.gauge(
                            "masque_egress_stalled_uploads_reset",
                            "Uploads reset with H3_EXCESSIVE_LOAD because their inner connection held"
                                    + " limits.stalled-upload-mib-per-connection of uploads whose targets stopped reading",
                            live.stalledUploads::reset);
                    metrics.gauge(
                            "masque_egress_stalled_uploads",
                            "Uploads whose relay stopped reading the stream because the target did not read,"
                                    + " each counted as 17 MiB against its connection's budget",
                            live.stalledUploads::stalled);
                    return new RelayServer.Listener(
                            List.of(filter),
                            RelayQuic.serverCodec(RelayQuic.serverTls(
                                            Objects.requireNonNull(tls.privateKey(), "tls.private-key"),
                                            Objects.requireNonNull(tls.certificate(), "tls.certificate")))
                                    .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                                    .maxRecvUdpPayloadSize(1452)
                                    // Inner packets start at 1200 and grow by DPLPMTUD (RFC 8899,
                                    // RFC 9000 §14.3): a probe too large for the ingress's DATAGRAM
                                    // frame toward the client, or for the path, is lost, and the
                                    // search settles below it.
                                    .discoverPmtu(true)
                                    // 8-byte IDs instead of quiche's 20: 12 more bytes in every
                                    // inner packet (docs/quic-forwarding.md, "Connection ID length").
                                    .localConnectionIdLength(RelayServer.CONNECTION_ID_LENGTH)
                                    .initialMaxStreamsBidirectional(Math.max(100, limits.maxFlowsPerConnection() * 2L))
                                    .initialMaxData(INNER_MAX_DATA)
                                    .handler(new EgressConnectionInitializer(live::current, connections)));
                })
                .start();
        return new EgressServer(config, metrics, server, live);
    }

    /**
     * What {@link DestinationPolicy} refuses as the relays' own at every port, allowlist or not:
     * the QUIC and admin listen addresses outside loopback and the wildcard (their listeners are
     * refused per port, {@link #listeners}), the source addresses, every pool prefix and the
     * ingress prefixes outside loopback.
     *
     * @param pool the city pool, or null without a {@code geo} section
     */
    static List<IpPrefix> ownPrefixes(EgressConfig config, @Nullable PoolRegistry pool) {
        List<IpPrefix> own = new ArrayList<>();
        for (InetSocketAddress l : listeners(config)) {
            InetAddress a = l.getAddress();
            IpPrefix p = IpPrefix.of(a);
            if (!a.isAnyLocalAddress() && !a.isLoopbackAddress() && !own.contains(p)) {
                own.add(p);
            }
        }
        config.sourceAddressList().forEach(a -> own.add(IpPrefix.of(a)));
        if (pool != null) {
            pool.cities().forEach(c -> own.addAll(c.prefixes()));
        }
        for (IpPrefix p : config.ingressPrefixList()) {
            if (!LOOPBACK_V4.contains(p) && !LOOPBACK_V6.contains(p)) {
                own.add(p);
            }
        }
        return own;
    }

    private static final IpPrefix LOOPBACK_V4 = IpPrefix.parse("127.0.0.0/8");
    private static final IpPrefix LOOPBACK_V6 = IpPrefix.parse("::1/128");

    /** The egress's listeners, QUIC then admin: never a target at their port. */
    static List<InetSocketAddress> listeners(EgressConfig config) {
        List<InetSocketAddress> out = new ArrayList<>();
        out.add(config.listenAddress());
        if (config.admin() != null) {
            out.add(config.admin().listenAddress());
        }
        return out;
    }

    /** Whether a listener is on a wildcard address, so the host's addresses must be learnt. */
    static boolean listensOnWildcard(EgressConfig config) {
        return listeners(config).stream().anyMatch(l -> l.getAddress().isAnyLocalAddress());
    }

    public static EgressServer start(EgressConfig config) throws Exception {
        return start(config, 1);
    }

    /**
     * Starts with {@code threads} event loops. With a {@code geo} section the source addresses
     * come from its city pool; otherwise from {@code source-addresses}.
     */
    public static EgressServer start(EgressConfig config, int threads) throws Exception {
        PoolRegistry pool = config.geo() == null
                ? null
                : PoolRegistry.load(Objects.requireNonNull(config.geo().pool(), "geo.pool"));
        return create(config, threads, sources(config, pool), pool);
    }
}
