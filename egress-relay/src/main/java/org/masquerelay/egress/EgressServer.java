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
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.AdminConfig;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.egress.config.EgressLimitsConfig;
import org.masquerelay.egress.downstream.EgressConnectionInitializer;
import org.masquerelay.egress.downstream.EgressContext;
import org.masquerelay.egress.policy.DestinationPolicy;
import org.masquerelay.egress.policy.IngressFilterHandler;
import org.masquerelay.egress.policy.LocationVerifier;
import org.masquerelay.egress.upstream.ConfiguredSourceAddresses;
import org.masquerelay.egress.upstream.HappyEyeballsConnector;
import org.masquerelay.egress.upstream.PoolSourceAddresses;
import org.masquerelay.egress.upstream.SourceAddressSelector;
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
     * Inner QUIC packets must fit in one outer DATAGRAM frame (docs/architecture.md §3): 1350 leaves room for
     * the outer QUIC and HTTP Datagram overhead at a 1452-byte outer payload.
     */
    public static final int MAX_UDP_PAYLOAD = 1350;

    private EgressServer(EgressConfig config, RelayMetrics metrics, RelayServer server) {
        super(config, metrics, server);
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
        if (pool != null) { // then geo is set, see start()
            Path poolFile = Objects.requireNonNull(config.geo(), "geo").pool();
            builder.adminRoute(EgressRanges.PATH, EgressRanges.of(pool, Objects.requireNonNull(poolFile))::handle);
        }
        RelayServer server = builder.pipeline((group, resources) -> {
                    MultiThreadIoEventLoopGroup tcpGroup = new MultiThreadIoEventLoopGroup(
                            threads, new DefaultThreadFactory("egress-tcp"), NioIoHandler.newFactory());
                    resources.push(() -> tcpGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                            .awaitUninterruptibly(5, TimeUnit.SECONDS));
                    TargetResolver resolver = new TargetResolver(group.next(), config.dnsOrDefault());
                    resources.push(resolver);
                    DestinationPolicy policy = new DestinationPolicy(
                            config.destinationsOrDefault().allowList(), ownPrefixes(config, pool));
                    Optional<LocationVerifier> locations = pool == null
                            ? Optional.empty()
                            : Optional.of(LocationVerifier.of(
                                    Objects.requireNonNull(config.geo(), "geo"), pool, Clock.systemUTC()));
                    TargetDialer dialer = new TargetDialer(
                            new HappyEyeballsConnector(limits.connectTimeout()),
                            tcpGroup,
                            sources,
                            limits.udpIdleTimeout(),
                            metrics);
                    EgressContext context = new EgressContext(
                            UdpProxyTemplate.defaultTemplate(),
                            config.proxyNameOrDefault(),
                            policy,
                            resolver,
                            dialer,
                            new TunnelCounter(limits.maxFlows(), limits.maxFlowsPerConnection()),
                            metrics,
                            connections::draining,
                            locations);
                    IngressFilterHandler filter = new IngressFilterHandler(config.ingressPrefixList());
                    TlsConfig tls = Objects.requireNonNull(config.tls(), "tls");
                    metrics.gauge(
                            "masque_egress_unauthorized_packets_dropped",
                            "UDP packets dropped because their source is not a configured ingress",
                            filter::dropped);
                    return new RelayServer.Listener(
                            List.of(filter),
                            RelayQuic.serverCodec(RelayQuic.serverTls(
                                            Objects.requireNonNull(tls.privateKey(), "tls.private-key"),
                                            Objects.requireNonNull(tls.certificate(), "tls.certificate")))
                                    .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                                    .maxRecvUdpPayloadSize(1452)
                                    .initialMaxStreamsBidirectional(Math.max(100, limits.maxFlowsPerConnection() * 2L))
                                    .handler(new EgressConnectionInitializer(context, connections)));
                })
                .start();
        return new EgressServer(config, metrics, server);
    }

    /**
     * What {@link DestinationPolicy} refuses as the relay's own, allowlist or not: the QUIC and
     * admin listen addresses, the source addresses and every pool prefix.
     *
     * @param pool the city pool, or null without a {@code geo} section
     */
    static List<IpPrefix> ownPrefixes(EgressConfig config, @Nullable PoolRegistry pool) {
        List<IpPrefix> own = new ArrayList<>();
        own.add(IpPrefix.of(config.listenAddress().getAddress()));
        if (config.admin() != null) {
            own.add(IpPrefix.of(config.admin().listenAddress().getAddress()));
        }
        config.sourceAddressList().forEach(a -> own.add(IpPrefix.of(a)));
        if (pool != null) {
            pool.cities().forEach(c -> own.addAll(c.prefixes()));
        }
        return own;
    }

    public static EgressServer start(EgressConfig config) throws Exception {
        return start(config, 1);
    }

    /**
     * Starts with {@code threads} event loops. With a {@code geo} section the source addresses
     * come from its city pool; otherwise from {@code source-addresses}.
     */
    public static EgressServer start(EgressConfig config, int threads) throws Exception {
        if (config.geo() == null) {
            return create(config, threads, new ConfiguredSourceAddresses(config.sourceAddressList()), null);
        }
        PoolRegistry pool =
                PoolRegistry.load(Objects.requireNonNull(config.geo().pool(), "geo.pool"));
        return create(config, threads, new PoolSourceAddresses(pool, Clock.systemUTC()), pool);
    }
}
