package org.masquerelay.ingress;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.handler.codec.quic.QuicChannel;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.ingress.config.LimitsConfig;
import org.masquerelay.ingress.config.TokensConfig;
import org.masquerelay.ingress.downstream.ConnectUdpRequestHandler;
import org.masquerelay.ingress.downstream.IngressContext;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.ingress.policy.CaffeineSpentTokenStore;
import org.masquerelay.ingress.policy.EgressRelayPolicy;
import org.masquerelay.ingress.policy.TokenAuthenticator;
import org.masquerelay.protocol.tunnel.RelayConnections;
import org.masquerelay.protocol.tunnel.RelayMetrics;
import org.masquerelay.protocol.tunnel.RelayQuic;
import org.masquerelay.protocol.tunnel.TunnelCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress relay's lifecycle: bind the QUIC listener and the admin listener, and on shutdown
 * send GOAWAY, drain until every tunnel ended or the deadline passed, then close.
 */
public final class IngressServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngressServer.class);

    /** Outer UDP payload size: fits a 1500-byte MTU with IPv6 and UDP headers (NETTY-NOTES trap 3). */
    public static final int MAX_UDP_PAYLOAD = 1452;

    private final IngressConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RelayMetrics metrics = new RelayMetrics(registry, "masque_ingress", "tunnels",
            "Open client QUIC connections", "Open connect-udp tunnels");
    private final MultiThreadIoEventLoopGroup group;
    private final RelayConnections connections;
    private final Channel socket;
    private final AdminServer admin;
    private final ClientLocator locator;

    private IngressServer(IngressConfig config, int threads) throws Exception {
        this.config = config;
        LimitsConfig limits = config.limitsOrDefault();
        connections = new RelayConnections("ingress-connections", metrics, limits.maxConnections(),
                limits.maxConnectionsPerAddress());
        group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        try {
            locator = config.geo() == null ? null : ClientLocator.open(config.geo(), Clock.systemUTC());
            IngressContext context = new IngressContext(config.template(),
                    new EgressRelayPolicy(config.egressRelayAddresses()), config.proxyNameOrDefault(),
                    limits.tunnelIdleTimeout(),
                    new TunnelCounter(limits.maxTunnels(), limits.maxTunnelsPerConnection()),
                    metrics, connections::draining, locator, tokens(config));
            ChannelHandler codec = RelayQuic.serverCodec(
                            RelayQuic.serverTls(config.tls().privateKey(), config.tls().certificate()))
                    .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                    .maxRecvUdpPayloadSize(MAX_UDP_PAYLOAD)
                    // Each tunnel is one bidi stream; admission beyond the limit is answered 503.
                    .initialMaxStreamsBidirectional(Math.max(100, limits.maxTunnelsPerConnection() * 2L))
                    .handler(new ChannelInitializer<QuicChannel>() {
                        @Override
                        protected void initChannel(QuicChannel ch) {
                            connections.accept(ch, "ingress-request", () -> new ConnectUdpRequestHandler(context));
                        }
                    })
                    .build();
            socket = new Bootstrap()
                    .group(group)
                    .channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 1024).maxMessagesPerRead(16))
                    .handler(codec)
                    .bind(config.listenAddress()).sync().channel();
            admin = config.admin() == null ? null
                    : new AdminServer(config.admin().listenAddress(), registry::scrape, connections::draining);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        log.info("ingress listening on {} (QUIC), admin {}", socket.localAddress(),
                admin == null ? "off" : admin.address());
    }

    private static TokenAuthenticator tokens(IngressConfig config) {
        TokensConfig t = config.tokens();
        if (t == null) {
            return null;
        }
        return new TokenAuthenticator(t.issuerName(), t.originInfo() != null ? t.originInfo()
                : config.proxyNameOrDefault(), t.keys(), new CaffeineSpentTokenStore(t.maxSpentTokensPerKeyOrDefault()));
    }

    public static IngressServer start(IngressConfig config) throws Exception {
        return new IngressServer(config, 1);
    }

    public static IngressServer start(IngressConfig config, int threads) throws Exception {
        return new IngressServer(config, threads);
    }

    public InetSocketAddress quicAddress() {
        return (InetSocketAddress) socket.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public RelayMetrics metrics() {
        return metrics;
    }

    /** The metrics in Prometheus text format, as {@code /metrics} serves them. */
    public String scrapeMetrics() {
        return registry.scrape();
    }

    public IngressConfig config() {
        return config;
    }

    /**
     * GOAWAY on every connection (RFC 9114 §5.2), wait until no tunnel is left or
     * {@code deadline} passed, then close everything.
     */
    public void drainAndClose(Duration deadline) {
        connections.drain(deadline);
        close();
    }

    @Override
    public void close() {
        connections.closeAll();
        socket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (admin != null) {
            admin.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (locator != null) {
            locator.close();
        }
    }
}
