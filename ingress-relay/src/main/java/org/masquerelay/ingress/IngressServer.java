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
package org.masquerelay.ingress;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.AdminConfig;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.ingress.config.Http2Config;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.ingress.config.LimitsConfig;
import org.masquerelay.ingress.config.SpendStoreConfig;
import org.masquerelay.ingress.config.TokensConfig;
import org.masquerelay.ingress.downstream.ConnectUdpRequestHandler;
import org.masquerelay.ingress.downstream.IngressContext;
import org.masquerelay.ingress.forwarding.QuicForwarding;
import org.masquerelay.ingress.policy.CaffeineSpentTokenStore;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.ingress.policy.EgressRelayPolicy;
import org.masquerelay.ingress.policy.RedisSpentTokenStore;
import org.masquerelay.ingress.policy.SpentTokenStore;
import org.masquerelay.ingress.policy.TokenAuthenticator;
import org.masquerelay.ingress.upstream.EgressDialer;
import org.masquerelay.server.AddressValidation;
import org.masquerelay.server.Http2Listener;
import org.masquerelay.server.Relay;
import org.masquerelay.server.RelayConnections;
import org.masquerelay.server.RelayMetrics;
import org.masquerelay.server.RelayQuic;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.TunnelCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress relay's lifecycle: bind the QUIC listener and the admin listener, and on shutdown
 * send GOAWAY, drain until every tunnel ended or the deadline passed, then close.
 */
public final class IngressServer extends Relay<IngressConfig> {
    private static final Logger log = LoggerFactory.getLogger(IngressServer.class);
    /** Outer UDP payload size: fits a 1500-byte MTU with IPv6 and UDP headers (docs/netty.md trap 3). */
    public static final int MAX_UDP_PAYLOAD = 1452;

    /** What a reload rebuilds from, and keeps: the counts of open tunnels and the spent tokens. */
    private static final class Live {
        final AtomicReference<IngressContext> context = new AtomicReference<>();

        /** The settings of new tunnels; set before the first socket is bound. */
        IngressContext current() {
            return Objects.requireNonNull(context.get(), "context");
        }

        @Nullable
        SpentTokenStore spent;

        @Nullable
        EventLoopGroup group;

        @Nullable
        TunnelCounter counter;

        /** QUIC-aware forwarding (docs/quic-forwarding.md): its table outlives reloads. */
        Optional<QuicForwarding> forwarding = Optional.empty();

        /** The HTTP/2 fallback listener, once bound; null when {@code http2.enabled} is false. */
        volatile @Nullable Http2Listener http2;
    }

    private final Live live;
    private final RelayConnections connections;

    private IngressServer(
            IngressConfig config, RelayMetrics metrics, RelayServer server, Live live, RelayConnections connections) {
        super(config, metrics, server);
        this.live = live;
        this.connections = connections;
    }

    /**
     * docs/architecture.md §7: egress relays, template, proxy name, tunnel limits and idle
     * timeout, token keys and issuer, and the geo database and signing keys apply to new tunnels.
     * The listen and admin addresses, TLS, the spend store, QUIC forwarding, the connection
     * limits and the handshake budget need a restart: a reload that changes them is refused.
     */
    @Override
    protected void apply(IngressConfig current, IngressConfig next) {
        List<String> fixed = new ArrayList<>();
        unchanged(fixed, "listen", current.listen(), next.listen());
        unchanged(fixed, "tls", current.tls(), next.tls());
        unchanged(fixed, "admin", current.admin(), next.admin());
        unchanged(fixed, "tokens", current.tokens() == null, next.tokens() == null);
        unchanged(fixed, "tokens.spend-store", spendStore(current), spendStore(next));
        unchanged(fixed, "quic-forwarding", current.quicForwarding(), next.quicForwarding());
        unchanged(fixed, "http2", current.http2OrDefault(), next.http2OrDefault());
        unchanged(fixed, "quic-datagrams", current.quicDatagramsOrDefault(), next.quicDatagramsOrDefault());
        unchanged(
                fixed,
                "limits.max-connections",
                current.limitsOrDefault().maxConnections(),
                next.limitsOrDefault().maxConnections());
        unchanged(
                fixed,
                "limits.max-connections-per-address",
                current.limitsOrDefault().maxConnectionsPerAddress(),
                next.limitsOrDefault().maxConnectionsPerAddress());
        unchanged(
                fixed,
                "limits.handshakes-per-second",
                current.limitsOrDefault().handshakesPerSecond(),
                next.limitsOrDefault().handshakesPerSecond());
        refuseIfAny(fixed);
        IngressContext old = live.current();
        IngressContext fresh;
        try {
            fresh = context(next, metrics(), connections, live);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        live.context.set(fresh);
        // A request admitted just before the swap may still be locating its client.
        old.locator()
                .ifPresent(
                        l -> Objects.requireNonNull(live.group).schedule(() -> closeQuietly(l), 30, TimeUnit.SECONDS));
    }

    private static @Nullable SpendStoreConfig spendStore(IngressConfig c) {
        return c.tokens() == null ? null : c.tokens().spendStore();
    }

    private static void closeQuietly(ClientLocator l) {
        try {
            l.close();
        } catch (Exception e) {
            log.debug("closing the previous geo database: {}", e.toString());
        }
    }

    /** The settings of new tunnels under {@code config}; keeps the live counter and spent set. */
    private static IngressContext context(
            IngressConfig config, RelayMetrics metrics, RelayConnections connections, Live live)
            throws ConfigException {
        LimitsConfig limits = config.limitsOrDefault();
        TunnelCounter counter = Objects.requireNonNull(live.counter);
        Optional<ClientLocator> locator = Optional.empty();
        if (config.geo() != null) {
            locator = Optional.of(ClientLocator.open(config.geo(), Clock.systemUTC()));
        }
        Optional<TokenAuthenticator> tokens = Optional.empty();
        TokensConfig t = config.tokens();
        if (t != null) {
            tokens = Optional.of(new TokenAuthenticator(
                    t.issuerName(),
                    t.originInfo() != null ? t.originInfo() : config.proxyNameOrDefault(),
                    t.keys(),
                    Objects.requireNonNull(live.spent)));
        }
        // Only after everything that can fail: a refused reload leaves the limits as they were.
        counter.limits(limits.maxTunnels(), limits.maxTunnelsPerConnection());
        return new IngressContext(
                config.template(),
                new EgressRelayPolicy(config.egressRelayAddresses()),
                config.proxyNameOrDefault(),
                new EgressDialer(limits.tunnelIdleTimeout(), metrics),
                counter,
                metrics,
                connections::draining,
                locator,
                tokens,
                live.forwarding);
    }

    private static IngressServer create(
            IngressConfig config, int threads, org.masquerelay.server.SocketHandover.@Nullable Settings handover)
            throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RelayMetrics metrics = new RelayMetrics(
                registry, "masque_ingress", "tunnels", "Open client QUIC connections", "Open connect-udp tunnels");
        LimitsConfig limits = config.limitsOrDefault();
        RelayConnections connections = new RelayConnections(
                        "ingress-connections", metrics, limits.maxConnections(), limits.maxConnectionsPerAddress())
                .datagrams(config.quicDatagramsOrDefault());
        Live live = new Live();
        RelayServer server = RelayServer.builder("ingress")
                .listen(config.listenAddress())
                .threads(threads)
                .handover(handover)
                .connections(connections, registry)
                .admin(Optional.ofNullable(config.admin()).map(AdminConfig::listenAddress))
                .pipeline((group, resources) -> {
                    live.group = group;
                    live.forwarding = QuicForwarding.create(config.quicForwardingOrDefault(), registry);
                    live.counter = new TunnelCounter(limits.maxTunnels(), limits.maxTunnelsPerConnection());
                    live.spent = spentStore(config, registry, resources);
                    live.context.set(context(config, metrics, connections, live));
                    // Every geo database this relay opened is closed with it, even after reloads.
                    resources.push(() -> live.current().locator().ifPresent(IngressServer::closeQuietly));
                    // Retry when under pressure, so spoofed Initials cannot fill the limits above.
                    AddressValidation validation = new AddressValidation(
                            connections::connectionsFrom,
                            connections::size,
                            connections.maxConnections(),
                            connections.maxConnectionsPerAddress(),
                            limits.handshakesPerSecond(),
                            Clock.systemUTC(),
                            System::nanoTime);
                    metrics.gauge(
                            "masque_ingress_address_validation_retries",
                            "QUIC Retry packets sent to validate a client's address",
                            validation::retries);
                    metrics.gauge(
                            "masque_ingress_handshake_budget_retries",
                            "QUIC Retry packets sent because limits.handshakes-per-second was spent",
                            validation::budgetRetries);
                    metrics.gauge(
                            "masque_ingress_address_validation_invalid_tokens",
                            "Initials dropped for a forged, altered, expired or misdirected Retry token",
                            validation::invalidTokens);
                    TlsConfig tls = Objects.requireNonNull(config.tls(), "tls");
                    Path key = Objects.requireNonNull(tls.privateKey(), "tls.private-key");
                    Path certificate = Objects.requireNonNull(tls.certificate(), "tls.certificate");
                    // docs/quic-forwarding.md: forwarded packets leave the socket before the codec.
                    List<ChannelHandler> filters =
                            live.forwarding.map(f -> List.of(f.filter())).orElse(List.of());
                    long maxStreams = Math.max(100, limits.maxTunnelsPerConnection() * 2L);
                    Http2Config http2 = config.http2OrDefault();
                    RelayServer.AfterBind fallback = !http2.enabledOrDefault()
                            ? null
                            : (quic, tookOver) -> {
                                InetSocketAddress address =
                                        http2.listenAddress().orElse(quic);
                                // After --upgrade the old process lets go of the TCP port only
                                // once it stopped reading: retry for as long as the admin port.
                                long end = System.nanoTime() + (tookOver ? TimeUnit.SECONDS.toNanos(5) : 0);
                                while (true) {
                                    try {
                                        Http2Listener l = Http2Listener.bind(
                                                group,
                                                address,
                                                Http2Listener.tls(key, certificate),
                                                connections,
                                                maxStreams,
                                                () -> new ConnectUdpRequestHandler(live.current()));
                                        resources.push(l);
                                        live.http2 = l;
                                        log.info("ingress listening on {} (HTTP/2 over TLS, TCP)", l.address());
                                        return l;
                                    } catch (Exception e) {
                                        if (System.nanoTime() < end) {
                                            Thread.sleep(50);
                                            continue;
                                        }
                                        throw new IllegalStateException(
                                                "cannot open the HTTP/2 listener on TCP " + address + ": "
                                                        + e.getMessage()
                                                        + " (set http2.listen, or http2.enabled: false)",
                                                e);
                                    }
                                }
                            };
                    return new RelayServer.Listener(
                            filters,
                            RelayQuic.serverCodec(
                                            RelayQuic.serverTls(key, certificate), config.quicDatagramsOrDefault())
                                    .tokenHandler(validation)
                                    .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                                    .maxRecvUdpPayloadSize(MAX_UDP_PAYLOAD)
                                    // Start at 1200 and probe up (RFC 8899, RFC 9000 §14.3): a
                                    // path narrower than MAX_UDP_PAYLOAD still carries every packet.
                                    .discoverPmtu(true)
                                    // 8-byte IDs instead of quiche's 20 (docs/quic-forwarding.md,
                                    // "Connection ID length"); with more than one listener thread
                                    // RelayServer's dispatcher sets its own length.
                                    .localConnectionIdLength(RelayServer.CONNECTION_ID_LENGTH)
                                    // Each tunnel is one bidi stream; admission beyond the limit is answered 503.
                                    .initialMaxStreamsBidirectional(maxStreams)
                                    .handler(new ChannelInitializer<QuicChannel>() {
                                        @Override
                                        protected void initChannel(QuicChannel ch) {
                                            connections.accept(
                                                    ch,
                                                    "ingress-request",
                                                    () -> new ConnectUdpRequestHandler(live.current()));
                                        }
                                    }),
                            fallback);
                })
                .start();
        return new IngressServer(config, metrics, server, live, connections);
    }

    /** The spent-token set, kept across reloads; null without tokens. */
    private static @Nullable SpentTokenStore spentStore(
            IngressConfig config, MeterRegistry registry, Deque<AutoCloseable> resources) throws IOException {
        TokensConfig t = config.tokens();
        if (t == null) {
            return null;
        }
        CaffeineSpentTokenStore local = new CaffeineSpentTokenStore(t.maxSpentTokensPerKeyOrDefault());
        if (t.spendStore() == null) {
            return local;
        }
        RedisSpentTokenStore shared = new RedisSpentTokenStore(t.spendStore(), local, registry, "masque_ingress");
        resources.push(shared);
        return shared;
    }

    /** The HTTP/2 fallback listener's TCP address; empty when {@code http2.enabled} is false. */
    public Optional<InetSocketAddress> http2Address() {
        Http2Listener l = live.http2;
        return l == null ? Optional.empty() : Optional.of(l.address());
    }

    public static IngressServer start(IngressConfig config) throws Exception {
        return create(config, 1, null);
    }

    public static IngressServer start(IngressConfig config, int threads) throws Exception {
        return create(config, threads, null);
    }

    /** With a socket handover (docs/architecture.md §7, "Upgrade"): {@code masque ingress --upgrade}. */
    public static IngressServer start(
            IngressConfig config, int threads, org.masquerelay.server.SocketHandover.@Nullable Settings handover)
            throws Exception {
        return create(config, threads, handover);
    }
}
