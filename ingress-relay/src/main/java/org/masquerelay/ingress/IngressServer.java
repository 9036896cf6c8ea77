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
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicChannel;
import java.io.IOException;
import java.time.Clock;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import org.masquerelay.config.AdminConfig;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.ingress.config.LimitsConfig;
import org.masquerelay.ingress.config.TokensConfig;
import org.masquerelay.ingress.downstream.ConnectUdpRequestHandler;
import org.masquerelay.ingress.downstream.IngressContext;
import org.masquerelay.ingress.policy.CaffeineSpentTokenStore;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.ingress.policy.EgressRelayPolicy;
import org.masquerelay.ingress.policy.RedisSpentTokenStore;
import org.masquerelay.ingress.policy.SpentTokenStore;
import org.masquerelay.ingress.policy.TokenAuthenticator;
import org.masquerelay.ingress.upstream.EgressDialer;
import org.masquerelay.server.AddressValidation;
import org.masquerelay.server.Relay;
import org.masquerelay.server.RelayConnections;
import org.masquerelay.server.RelayMetrics;
import org.masquerelay.server.RelayQuic;
import org.masquerelay.server.RelayServer;
import org.masquerelay.server.TunnelCounter;

/**
 * The ingress relay's lifecycle: bind the QUIC listener and the admin listener, and on shutdown
 * send GOAWAY, drain until every tunnel ended or the deadline passed, then close.
 */
public final class IngressServer extends Relay<IngressConfig> {
    /** Outer UDP payload size: fits a 1500-byte MTU with IPv6 and UDP headers (docs/netty.md trap 3). */
    public static final int MAX_UDP_PAYLOAD = 1452;

    private IngressServer(IngressConfig config, RelayMetrics metrics, RelayServer server) {
        super(config, metrics, server);
    }

    private static IngressServer create(IngressConfig config, int threads) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RelayMetrics metrics = new RelayMetrics(
                registry, "masque_ingress", "tunnels", "Open client QUIC connections", "Open connect-udp tunnels");
        LimitsConfig limits = config.limitsOrDefault();
        RelayConnections connections = new RelayConnections(
                "ingress-connections", metrics, limits.maxConnections(), limits.maxConnectionsPerAddress());
        RelayServer server = RelayServer.builder("ingress")
                .listen(config.listenAddress())
                .threads(threads)
                .connections(connections, registry)
                .admin(Optional.ofNullable(config.admin()).map(AdminConfig::listenAddress))
                .pipeline((group, resources) -> {
                    Optional<ClientLocator> locator = Optional.empty();
                    if (config.geo() != null) {
                        ClientLocator opened = ClientLocator.open(config.geo(), Clock.systemUTC());
                        resources.push(opened);
                        locator = Optional.of(opened);
                    }
                    IngressContext context = new IngressContext(
                            config.template(),
                            new EgressRelayPolicy(config.egressRelayAddresses()),
                            config.proxyNameOrDefault(),
                            new EgressDialer(limits.tunnelIdleTimeout(), metrics),
                            new TunnelCounter(limits.maxTunnels(), limits.maxTunnelsPerConnection()),
                            metrics,
                            connections::draining,
                            locator,
                            tokens(config, registry, resources));
                    // Retry when under pressure, so spoofed Initials cannot fill the limits above.
                    AddressValidation validation = new AddressValidation(
                            connections::connectionsFrom,
                            connections::size,
                            connections.maxConnections(),
                            connections.maxConnectionsPerAddress(),
                            Clock.systemUTC());
                    metrics.gauge(
                            "masque_ingress_address_validation_retries",
                            "QUIC Retry packets sent to validate a client's address",
                            validation::retries);
                    metrics.gauge(
                            "masque_ingress_address_validation_invalid_tokens",
                            "Initials dropped for a forged, altered, expired or misdirected Retry token",
                            validation::invalidTokens);
                    TlsConfig tls = Objects.requireNonNull(config.tls(), "tls");
                    return RelayServer.Listener.of(RelayQuic.serverCodec(RelayQuic.serverTls(
                                    Objects.requireNonNull(tls.privateKey(), "tls.private-key"),
                                    Objects.requireNonNull(tls.certificate(), "tls.certificate")))
                            .tokenHandler(validation)
                            .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                            .maxRecvUdpPayloadSize(MAX_UDP_PAYLOAD)
                            // Each tunnel is one bidi stream; admission beyond the limit is answered 503.
                            .initialMaxStreamsBidirectional(Math.max(100, limits.maxTunnelsPerConnection() * 2L))
                            .handler(new ChannelInitializer<QuicChannel>() {
                                @Override
                                protected void initChannel(QuicChannel ch) {
                                    connections.accept(
                                            ch, "ingress-request", () -> new ConnectUdpRequestHandler(context));
                                }
                            }));
                })
                .start();
        return new IngressServer(config, metrics, server);
    }

    private static Optional<TokenAuthenticator> tokens(
            IngressConfig config, MeterRegistry registry, Deque<AutoCloseable> resources) throws IOException {
        TokensConfig t = config.tokens();
        if (t == null) {
            return Optional.empty();
        }
        CaffeineSpentTokenStore local = new CaffeineSpentTokenStore(t.maxSpentTokensPerKeyOrDefault());
        SpentTokenStore store = local;
        if (t.spendStore() != null) {
            RedisSpentTokenStore shared = new RedisSpentTokenStore(t.spendStore(), local, registry, "masque_ingress");
            resources.push(shared);
            store = shared;
        }
        return Optional.of(new TokenAuthenticator(
                t.issuerName(),
                t.originInfo() != null ? t.originInfo() : config.proxyNameOrDefault(),
                t.keys(),
                store));
    }

    public static IngressServer start(IngressConfig config) throws Exception {
        return create(config, 1);
    }

    public static IngressServer start(IngressConfig config, int threads) throws Exception {
        return create(config, threads);
    }
}
