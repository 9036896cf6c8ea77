package org.masquerelay.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3SettingsFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.masquerelay.protocol.datagram.H3Settings;
import org.masquerelay.protocol.datagram.HttpDatagram;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.HttpDatagramDemuxHandler;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;
import org.masquerelay.protocol.tunnel.TunnelMetrics;
import org.masquerelay.protocol.tunnel.UdpSocketBridge;
import org.masquerelay.protocol.uri.UdpProxyTemplate;

/**
 * The nested two-hop MASQUE client (DESIGN §1, §3).
 *
 * <ol>
 *   <li>An outer QUIC+HTTP/3 connection to the ingress (1452-byte UDP payloads), which must
 *       announce extended CONNECT (RFC 9220) and HTTP Datagrams (RFC 9297) before we use them.
 *   <li>A connect-udp request (RFC 9298) through the ingress whose target is the egress relay.
 *   <li>An inner QUIC+HTTP/3 connection to the egress, end to end, whose packets ride in that
 *       tunnel's HTTP Datagrams. Its packet size is sized to fit one outer DATAGRAM frame.
 *   <li>On it, one {@code CONNECT host:port} stream per TCP flow and one connect-udp stream per
 *       UDP flow.
 * </ol>
 *
 * <p>Netty's QUIC codec reads and writes {@code DatagramPacket}s on a datagram channel, so the
 * inner connection runs on a real UDP socket bound to 127.0.0.1 and connected to a second
 * loopback socket that is the local end of the tunnel; both are connected, so the kernel drops
 * anything from a third party. This costs one loopback hop per inner packet on the client.
 *
 * <p>When either hop goes away the session is dropped and the next flow reconnects. Thread-safe:
 * public methods may be called from any thread; all channel work runs on one event loop.
 */
public final class MasqueClient implements AutoCloseable {
    /** Outer UDP payload (NETTY-NOTES trap 3): room for a full-size inner QUIC packet. */
    public static final int OUTER_MAX_UDP_PAYLOAD = 1452;

    private final ClientConfig config;
    private final boolean insecure;
    private final InetAddress bindAddress;
    private final MultiThreadIoEventLoopGroup group;
    private final EventLoop loop;
    private final QuicSslContext ingressTls;
    private final QuicSslContext egressTls;
    private final UdpProxyTemplate template;
    private CompletableFuture<Session> session; // guarded by this
    private int reconnects;
    private volatile boolean closed;

    /**
     * @param bindAddress local source address of the outer connection, or null for any
     */
    public MasqueClient(ClientConfig config, boolean insecure, InetAddress bindAddress) throws Exception {
        this.config = config;
        this.insecure = insecure;
        this.bindAddress = bindAddress;
        this.template = config.template();
        this.ingressTls = TrustOptions.context(config.ingress(), config.caFile(), insecure);
        this.egressTls = TrustOptions.context(config.egress(), config.caFile(), insecure);
        this.group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        this.loop = group.next();
    }

    /** One outer connection, its tunnel and the inner connection through it. */
    private static final class Session {
        Channel outerSocket;
        QuicChannel outer;
        QuicStreamChannel tunnel;
        Channel bridgeSocket;
        Channel innerSocket;
        QuicChannel inner;

        boolean alive() {
            return inner != null && inner.isActive() && outer.isActive() && tunnel.isActive();
        }

        void close() {
            if (inner != null) {
                inner.close();
            }
            if (tunnel != null) {
                tunnel.close();
            }
            if (outer != null) {
                outer.close();
            }
            for (Channel c : new Channel[] {innerSocket, bridgeSocket, outerSocket}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** Connects now (otherwise the first flow does); completes when the inner connection is up. */
    public CompletableFuture<Void> connect() {
        return session().thenApply(s -> null);
    }

    /** Number of times a lost session was replaced. */
    public synchronized int reconnects() {
        return reconnects;
    }

    private synchronized CompletableFuture<Session> session() {
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("client closed"));
        }
        CompletableFuture<Session> s = session;
        if (s != null && (!s.isDone() || (!s.isCompletedExceptionally() && s.join().alive()))) {
            return s;
        }
        if (s != null) {
            reconnects++;
            if (s.isDone() && !s.isCompletedExceptionally()) {
                s.join().close();
            }
        }
        CompletableFuture<Session> created = new CompletableFuture<>();
        session = created;
        loop.execute(() -> establish(created));
        return created;
    }

    private void establish(CompletableFuture<Session> result) {
        Session s = new Session();
        result.whenComplete((ok, err) -> {
            if (err != null) {
                s.close();
            }
        });
        ChannelHandler outerCodec = clientCodec(ingressTls, config.ingress(), OUTER_MAX_UDP_PAYLOAD)
                .initialMaxData(16L << 20)
                .initialMaxStreamDataBidirectionalLocal(1L << 20)
                .initialMaxStreamDataBidirectionalRemote(1L << 20)
                .initialMaxStreamsBidirectional(16)
                .build();
        udpSocket(outerCodec)
                .bind(new InetSocketAddress(bindAddress, 0))
                .addListener(bound -> {
                    if (!bound.isSuccess()) {
                        result.completeExceptionally(bound.cause());
                        return;
                    }
                    s.outerSocket = ((ChannelFuture) bound).channel();
                    QuicChannel.newBootstrap(s.outerSocket)
                            .handler(connectionInitializer())
                            .remoteAddress(config.ingress().socketAddress())
                            .connect()
                            .addListener((Future<QuicChannel> f) -> {
                                if (!f.isSuccess()) {
                                    result.completeExceptionally(wrap("ingress", f.cause()));
                                    return;
                                }
                                s.outer = f.getNow();
                                awaitExtendedConnect("ingress", s.outer)
                                        .thenRun(() -> loop.execute(() -> openTunnel(s, result)))
                                        .exceptionally(e -> fail(result, e));
                            });
                });
    }

    /** A UDP socket on the client's event loop with 4 MiB buffers, for any of the three sockets. */
    private Bootstrap udpSocket(ChannelHandler handler) {
        return new Bootstrap().group(loop).channel(EpollDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(handler);
    }

    /**
     * An HTTP/3 client codec toward {@code hop}: certificate checked for its server name (SNI and
     * hostname, NETTY-NOTES trap 2), packets of {@code maxUdpPayload}, DATAGRAM frames on.
     */
    private static QuicClientCodecBuilder clientCodec(QuicSslContext tls, HopConfig hop, int maxUdpPayload) {
        return Http3.newQuicClientCodecBuilder()
                .sslEngineProvider(q -> tls.newEngine(q.alloc(), hop.serverNameOrAddress(),
                        hop.socketAddress().getPort()))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .maxSendUdpPayloadSize(maxUdpPayload)
                .maxRecvUdpPayloadSize(maxUdpPayload)
                .initialMaxStreamsUnidirectional(8)
                .datagram(4096, 4096);
    }

    private static ChannelInitializer<QuicChannel> connectionInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(QuicChannel ch) {
                ch.pipeline().addLast(new HttpDatagramDemuxHandler(TunnelMetrics.NOOP));
                ch.pipeline().addLast(new Http3ClientConnectionHandler(new PeerSettingsHandler(), null, null,
                        PeerSettingsHandler.localMasqueSettings(), true));
            }
        };
    }

    /** RFC 9220 §3: do not send an extended CONNECT before the peer's SETTINGS allow it. */
    private static CompletableFuture<Void> awaitExtendedConnect(String hop, QuicChannel ch) {
        return PeerSettingsHandler.peerSettings(ch).orTimeout(10, TimeUnit.SECONDS).thenAccept(settings -> {
            if (!isOne(settings, H3Settings.SETTINGS_ENABLE_CONNECT_PROTOCOL)) {
                throw new CompletionException(new IOException(hop + " does not support extended CONNECT"));
            }
            if (!isOne(settings, H3Settings.SETTINGS_H3_DATAGRAM)) {
                throw new CompletionException(new IOException(hop + " does not support HTTP Datagrams"));
            }
        });
    }

    private static boolean isOne(Http3SettingsFrame s, long id) {
        Long v = s.get(id);
        return v != null && v == 1L;
    }

    private void openTunnel(Session s, CompletableFuture<Session> result) {
        InetSocketAddress egress = config.egress().socketAddress();
        Http3Headers h = new DefaultHttp3Headers()
                .method("CONNECT")
                .protocol("connect-udp")
                .scheme("https")
                .authority(authority(config.ingress()))
                .path(template.expandPath(egress.getAddress().getHostAddress(), egress.getPort()));
        h.set("capsule-protocol", "?1");
        UdpSocketBridge bridge = new UdpSocketBridge(TunnelMetrics.NOOP);
        CompletableFuture<QuicStreamChannel> opened = new CompletableFuture<>();
        Http3.newRequestStream(s.outer, new RequestStreamHandler("ingress", stream -> {
            DatagramTunnelHandler tunnel = new DatagramTunnelHandler(stream, bridge, TunnelMetrics.NOOP);
            bridge.tunnel(tunnel);
            stream.pipeline().addLast(tunnel);
        }, opened)).addListener((Future<QuicStreamChannel> f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            s.tunnel = f.getNow();
            // Without the tunnel the inner connection is dead: close it now so its flows fail at
            // once instead of after the inner idle timeout.
            s.tunnel.closeFuture().addListener(x -> s.close());
            s.tunnel.writeAndFlush(new DefaultHttp3HeadersFrame(h));
        });
        // Socket setup below blocks briefly on binds, so it runs off the event loop.
        opened.thenRunAsync(() -> openInner(s, bridge, result)).exceptionally(e -> fail(result, e));
    }

    private void openInner(Session s, UdpSocketBridge bridge, CompletableFuture<Session> result) {
        int outerMax = HttpDatagramDemuxHandler.of(s.outer).maxDatagramLength();
        int room = outerMax - HttpDatagram.overhead(s.tunnel.streamId() / 4, 0);
        int innerMax = Math.min(config.innerMaxUdpPayloadOrDefault(), room);
        if (innerMax < 1200) {
            result.completeExceptionally(new IOException("the ingress path carries datagrams of " + room
                    + " bytes; a nested QUIC connection needs 1200 (RFC 9000 §14)"));
            return;
        }
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Channel bridgeSocket = udpSocket(bridge).bind(loopback).syncUninterruptibly().channel();
        s.bridgeSocket = bridgeSocket;
        ChannelHandler innerCodec = clientCodec(egressTls, config.egress(), innerMax)
                .initialMaxData(32L << 20)
                .initialMaxStreamDataBidirectionalLocal(2L << 20)
                .initialMaxStreamDataBidirectionalRemote(2L << 20)
                .initialMaxStreamsBidirectional(1024)
                .build();
        Channel innerSocket = udpSocket(innerCodec).bind(loopback).syncUninterruptibly().channel();
        s.innerSocket = innerSocket;
        bridgeSocket.connect(innerSocket.localAddress()).syncUninterruptibly();
        QuicChannel.newBootstrap(innerSocket)
                .handler(connectionInitializer())
                .remoteAddress(bridgeSocket.localAddress())
                .connect()
                .addListener((Future<QuicChannel> f) -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(wrap("egress", f.cause()));
                        return;
                    }
                    s.inner = f.getNow();
                    awaitExtendedConnect("egress", s.inner).thenRun(() -> result.complete(s))
                            .exceptionally(e -> fail(result, e));
                });
    }

    private static Throwable wrap(String hop, Throwable cause) {
        return new IOException("cannot connect to the " + hop + ": " + cause, cause);
    }

    private static <T> Void fail(CompletableFuture<T> result, Throwable e) {
        result.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
        return null;
    }

    private static String authority(HopConfig hop) {
        String name = hop.serverNameOrAddress();
        if (name.indexOf(':') >= 0) {
            name = "[" + name + "]";
        }
        return name + ":" + hop.socketAddress().getPort();
    }

    /**
     * Opens a TCP flow to {@code host:port} through both hops ({@code CONNECT}, RFC 9114 §4.4).
     * {@code onOpen} runs on the event loop when the 2xx arrives and before any data is read:
     * install the data-phase handlers there (for example {@code ByteStreamRelay}).
     */
    public CompletableFuture<QuicStreamChannel> openTcp(String host, int port, Consumer<QuicStreamChannel> onOpen) {
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").authority(authority);
        return openStream(h, onOpen);
    }

    /**
     * Opens a UDP flow to {@code host:port} (connect-udp on the inner connection, RFC 9298).
     * {@code local} receives the target's datagrams; send with the returned handler's
     * {@link DatagramTunnelHandler#sendToPeer} and {@link DatagramTunnelHandler#flush} on its
     * stream's event loop.
     */
    public CompletableFuture<DatagramTunnelHandler> openUdp(String host, int port, DatagramTunnelHandler.Local local) {
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").protocol("connect-udp").scheme("https")
                .authority(authority(config.egress()))
                .path(template.expandPath(host, port));
        h.set("capsule-protocol", "?1");
        DatagramTunnelHandler[] ref = new DatagramTunnelHandler[1];
        return openStream(h, stream -> {
            ref[0] = new DatagramTunnelHandler(stream, local, TunnelMetrics.NOOP);
            stream.pipeline().addLast(ref[0]);
        }).thenApply(stream -> ref[0]);
    }

    private CompletableFuture<QuicStreamChannel> openStream(Http3Headers headers, Consumer<QuicStreamChannel> onOpen) {
        return session().thenCompose(s -> {
            CompletableFuture<QuicStreamChannel> opened = new CompletableFuture<>();
            Http3.newRequestStreamBootstrap(s.inner, new RequestStreamHandler("egress", onOpen, opened))
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .create()
                    .addListener((Future<QuicStreamChannel> f) -> {
                        if (!f.isSuccess()) {
                            opened.completeExceptionally(f.cause());
                            return;
                        }
                        f.getNow().writeAndFlush(new DefaultHttp3HeadersFrame(headers));
                    });
            return opened;
        });
    }

    /** The inner connection's event loop, where flow handlers run. */
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public void close() {
        CompletableFuture<Session> s;
        synchronized (this) {
            closed = true;
            s = session;
        }
        if (s != null && s.isDone() && !s.isCompletedExceptionally()) {
            loop.submit(() -> s.join().close()).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
