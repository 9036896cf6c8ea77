package org.masquerelay.egress;

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
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.egress.config.EgressLimitsConfig;
import org.masquerelay.egress.downstream.EgressConnectionInitializer;
import org.masquerelay.egress.downstream.EgressContext;
import org.masquerelay.egress.policy.DestinationPolicy;
import org.masquerelay.egress.policy.LocationVerifier;
import org.masquerelay.egress.policy.IngressFilterHandler;
import org.masquerelay.egress.upstream.ConfiguredSourceAddresses;
import org.masquerelay.egress.upstream.HappyEyeballsConnector;
import org.masquerelay.egress.upstream.PoolSourceAddresses;
import org.masquerelay.egress.upstream.SourceAddressSelector;
import org.masquerelay.egress.upstream.TargetResolver;
import org.masquerelay.pool.IpPrefix;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.tunnel.RelayConnections;
import org.masquerelay.protocol.tunnel.RelayMetrics;
import org.masquerelay.protocol.tunnel.RelayQuic;
import org.masquerelay.protocol.tunnel.TunnelCounter;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The egress relay's lifecycle: bind the QUIC listener (answering only configured ingress
 * prefixes) and the admin listener; on shutdown send GOAWAY, drain until every flow ended or the
 * deadline passed, then close.
 */
public final class EgressServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EgressServer.class);

    /**
     * Inner QUIC packets must fit in one outer DATAGRAM frame (DESIGN §3): 1350 leaves room for
     * the outer QUIC and HTTP Datagram overhead at a 1452-byte outer payload.
     */
    public static final int MAX_UDP_PAYLOAD = 1350;

    private final EgressConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RelayMetrics metrics = new RelayMetrics(registry, "masque_egress", "flows",
            "Open inner QUIC connections (from ingress relays)", "Open CONNECT and connect-udp flows");
    private final MultiThreadIoEventLoopGroup group;
    private final MultiThreadIoEventLoopGroup tcpGroup;
    private final TargetResolver resolver;
    private final RelayConnections connections = new RelayConnections("egress-connections", metrics,
            Integer.MAX_VALUE);
    private final Channel socket;
    private final AdminServer admin;

    private EgressServer(EgressConfig config, int threads, SourceAddressSelector sources, PoolRegistry pool)
            throws Exception {
        this.config = config;
        EgressLimitsConfig limits = config.limitsOrDefault();
        group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        tcpGroup = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        resolver = new TargetResolver(group.next(), config.dnsOrDefault());
        try {
            List<IpPrefix> own = new ArrayList<>();
            own.add(IpPrefix.of(config.listenAddress().getAddress()));
            config.sourceAddressList().forEach(a -> own.add(IpPrefix.of(a)));
            if (pool != null) {
                pool.cities().forEach(c -> own.addAll(c.prefixes()));
            }
            DestinationPolicy policy = new DestinationPolicy(config.destinationsOrDefault().allowList(), own);
            LocationVerifier locations = pool == null ? null
                    : LocationVerifier.of(config.geo(), pool, Clock.systemUTC());
            EgressContext context = new EgressContext(UdpProxyTemplate.defaultTemplate(), config.proxyNameOrDefault(),
                    policy, resolver, new HappyEyeballsConnector(limits.connectTimeout()), tcpGroup, sources,
                    limits.udpIdleTimeout(), new TunnelCounter(limits.maxFlows(), limits.maxFlowsPerConnection()),
                    metrics, connections::draining, locations);
            IngressFilterHandler filter = new IngressFilterHandler(config.ingressPrefixList());
            metrics.gauge("masque_egress_unauthorized_packets_dropped",
                    "UDP packets dropped because their source is not a configured ingress", filter::dropped);
            ChannelHandler codec = RelayQuic.serverCodec(
                            RelayQuic.serverTls(config.tls().privateKey(), config.tls().certificate()))
                    .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                    .maxRecvUdpPayloadSize(1452)
                    .initialMaxStreamsBidirectional(Math.max(100, limits.maxFlowsPerConnection() * 2L))
                    .handler(new EgressConnectionInitializer(context, connections))
                    .build();
            socket = new Bootstrap()
                    .group(group)
                    .channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 1024).maxMessagesPerRead(16))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(filter, codec);
                        }
                    })
                    .bind(config.listenAddress()).sync().channel();
            admin = config.admin() == null ? null
                    : new AdminServer(config.admin().listenAddress(), registry::scrape, connections::draining,
                            pool == null ? null : EgressRanges.of(pool, config.geo().pool()));
        } catch (Exception e) {
            resolver.close();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            tcpGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        log.info("egress listening on {} (QUIC), admin {}", socket.localAddress(),
                admin == null ? "off" : admin.address());
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
            return new EgressServer(config, threads, new ConfiguredSourceAddresses(config.sourceAddressList()), null);
        }
        PoolRegistry pool = PoolRegistry.load(config.geo().pool());
        return new EgressServer(config, threads, new PoolSourceAddresses(pool, Clock.systemUTC()), pool);
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

    public EgressConfig config() {
        return config;
    }

    /**
     * GOAWAY on every connection (RFC 9114 §5.2), wait until no flow is left or
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
        resolver.close();
        tcpGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
