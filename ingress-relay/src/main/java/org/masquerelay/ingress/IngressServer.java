package org.masquerelay.ingress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http3.DefaultHttp3GoAwayFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicCongestionControlAlgorithm;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.ingress.config.LimitsConfig;
import org.masquerelay.ingress.downstream.IngressConnectionInitializer;
import org.masquerelay.ingress.downstream.IngressContext;
import org.masquerelay.ingress.downstream.TunnelCounter;
import org.masquerelay.ingress.policy.EgressRelayPolicy;
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
    private final IngressMetrics metrics = new IngressMetrics();
    private final MultiThreadIoEventLoopGroup group;
    private final ChannelGroup connections = new DefaultChannelGroup("ingress-connections",
            GlobalEventExecutor.INSTANCE);
    private final Channel socket;
    private final AdminServer admin;
    private volatile boolean draining;

    private IngressServer(IngressConfig config, int threads) throws Exception {
        this.config = config;
        LimitsConfig limits = config.limitsOrDefault();
        group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        try {
            IngressContext context = new IngressContext(config.template(),
                    new EgressRelayPolicy(config.egressRelayAddresses()), config.proxyNameOrDefault(),
                    limits.tunnelIdleTimeout(),
                    new TunnelCounter(new AtomicInteger(), limits.maxTunnels(), limits.maxTunnelsPerConnection()),
                    metrics, () -> draining);
            QuicSslContext ssl = QuicSslContextBuilder
                    .forServer(config.tls().privateKey().toFile(), null, config.tls().certificate().toFile())
                    .applicationProtocols(Http3.supportedApplicationProtocols())
                    .build();
            ChannelHandler codec = Http3.newQuicServerCodecBuilder()
                    .sslContext(ssl)
                    .maxIdleTimeout(30, TimeUnit.SECONDS)
                    .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                    .maxRecvUdpPayloadSize(MAX_UDP_PAYLOAD)
                    .initialMaxData(16L << 20)
                    .initialMaxStreamDataBidirectionalLocal(1L << 20)
                    .initialMaxStreamDataBidirectionalRemote(1L << 20)
                    // Each tunnel is one bidi stream; admission beyond the limit is answered 503.
                    .initialMaxStreamsBidirectional(Math.max(100, limits.maxTunnelsPerConnection() * 2L))
                    .initialMaxStreamsUnidirectional(8)
                    .congestionControlAlgorithm(QuicCongestionControlAlgorithm.CUBIC)
                    // Inner QUIC packets ride in these frames: queue generously, drops are counted
                    // at the tunnel (NETTY-NOTES trap 5).
                    .datagram(4096, 4096)
                    .handler(new IngressConnectionInitializer(context, connections, limits.maxConnections()))
                    .build();
            socket = new Bootstrap()
                    .group(group)
                    .channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 1024))
                    .handler(codec)
                    .bind(config.listenAddress()).sync().channel();
            admin = config.admin() == null ? null
                    : new AdminServer(config.admin().listenAddress(), metrics, () -> draining);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        log.info("ingress listening on {} (QUIC), admin {}", socket.localAddress(),
                admin == null ? "off" : admin.address());
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

    public IngressMetrics metrics() {
        return metrics;
    }

    public IngressConfig config() {
        return config;
    }

    /**
     * GOAWAY on every connection (RFC 9114 §5.2), wait until no tunnel is left or
     * {@code deadline} passed, then close everything.
     */
    public void drainAndClose(Duration deadline) {
        draining = true;
        for (Channel c : connections) {
            QuicChannel qc = (QuicChannel) c;
            qc.eventLoop().execute(() -> {
                QuicStreamChannel control = Http3.getLocalControlStream(qc);
                if (control != null && control.isActive()) {
                    // RFC 9114 §5.2: the largest client bidi stream id signals intent to shut
                    // down; streams already open finish, new requests are refused with 503.
                    control.writeAndFlush(new DefaultHttp3GoAwayFrame((1L << 62) - 4));
                }
            });
        }
        long end = System.nanoTime() + deadline.toNanos();
        while (metrics.tunnels() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("drain finished with {} tunnel(s) left", metrics.tunnels());
        close();
    }

    @Override
    public void close() {
        draining = true;
        for (Channel c : connections) {
            QuicChannel qc = (QuicChannel) c;
            qc.close(true, 0x100, qc.alloc().directBuffer(0)); // H3_NO_ERROR, RFC 9114 §8.1
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        socket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (admin != null) {
            admin.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
