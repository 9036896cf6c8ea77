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
package org.masquerelay.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3ConnectionHandler;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3SettingsFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IoTransport;
import org.masquerelay.protocol.datagram.H3Settings;
import org.masquerelay.protocol.datagram.HttpDatagram;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.geo.GeoAssertionException;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.quicproxy.ProxyQuicForwarding;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.PrivateTokenCredentials;
import org.masquerelay.protocol.token.Token;
import org.masquerelay.protocol.tunnel.ConnectionLiveness;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.tunnel.HttpDatagramDemuxHandler;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;
import org.masquerelay.protocol.tunnel.TunnelMetrics;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nested two-hop MASQUE client (docs/architecture.md §1, §3).
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
 * <p>Netty's QUIC codec reads and writes {@code DatagramPacket}s on a parent channel; the inner
 * connection's parent is a {@link TunnelDatagramChannel}, an in-memory channel whose packets go
 * straight into the tunnel's HTTP Datagrams, so an inner packet costs no socket of its own.
 *
 * <p>When either hop goes away the session is dropped and the next flow reconnects. Thread-safe:
 * public methods may be called from any thread; all channel work runs on one event loop.
 */
public final class MasqueClient implements AutoCloseable {
    /**
     * Largest outer UDP payload (docs/netty.md trap 3): a 1500-byte MTU with IPv6 and UDP headers.
     * The outer connection starts at 1200 and grows to it, or to the path's size, by DPLPMTUD.
     */
    public static final int OUTER_MAX_UDP_PAYLOAD = 1452;
    /** Smallest UDP payload a QUIC path must carry, and the size every connection starts at (RFC 9000 §14). */
    static final int MIN_QUIC_PACKET = 1200;
    /**
     * Length of the connection IDs the client issues, on both connections: 8 bytes, 64 random
     * bits, as many as an ID needs against guessing on a connection this short-lived; quiche's
     * default is 20 (docs/quic-forwarding.md, "Connection ID length").
     */
    public static final int CONNECTION_ID_LENGTH = 8;
    /** A short-header packet's cost around one DATAGRAM frame's payload with an empty connection ID. */
    static final int MIN_SHORT_PACKET_OVERHEAD = 1 + 4 + 16 + 3;
    /** How often the client checks whether the outer connection's PMTU probes have passed. */
    static final int PMTU_POLL_MILLIS = 5;
    /** Time the inner CONNECTION_CLOSE gets to leave through the tunnel before it closes. */
    static final int INNER_CLOSE_GRACE_MILLIS = 50;
    /** A QUIC handshake without an answer fails after this; UDP gives no "connection refused". */
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Silence on a hop after which a keep-alive frame goes out (docs/architecture.md, "Dead hops"). */
    static final Duration KEEPALIVE_AFTER = Duration.ofSeconds(1);
    /** Silence on a hop after which it is dead and the session fails its flows (within 3 s of a kill). */
    static final Duration DEAD_PEER_AFTER = Duration.ofSeconds(2);

    /**
     * The inner connection's MAX_DATA (RFC 9000 §4.1): the largest value a varint carries, so the
     * connection-level credit is never used up and each stream's own window bounds what it
     * buffers (docs/architecture.md, "Flow-control windows and stalled readers").
     */
    public static final long INNER_MAX_DATA = (1L << 62) - 1;

    /**
     * How long {@link Transport#AUTO} waits for the QUIC connection to the ingress before it
     * also tries HTTP/2: RFC 8305 §5's recommended Connection Attempt Delay.
     */
    public static final int ATTEMPT_DELAY_MILLIS = 250;

    /** How long a network where only HTTP/2 reached the ingress goes straight to HTTP/2. */
    static final Duration UDP_BLOCKED_MEMORY = Duration.ofMinutes(5);

    /**
     * Networks (our local address toward an ingress, and that ingress) where QUIC did not connect
     * but HTTP/2 did, with when that was: shared by every client of the process.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Long> UDP_BLOCKED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** How the client reaches the ingress (docs/architecture.md §3.6). */
    public enum Transport {
        /** QUIC and HTTP/3 only. */
        H3,
        /** HTTP/2 over TLS on TCP only, to the ingress's address and port. */
        H2,
        /**
         * QUIC first; HTTP/2 too if QUIC has not connected within {@link #ATTEMPT_DELAY_MILLIS},
         * or at once if it fails (Happy Eyeballs, RFC 8305). The first connection up is used.
         */
        AUTO;

        /** {@code h3}, {@code h2} or {@code auto}, any case. */
        public static Transport parse(String text) {
            for (Transport t : values()) {
                if (t.name().equalsIgnoreCase(text)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not a transport (expected: h3, h2 or auto)");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(MasqueClient.class);

    private final ClientConfig config;
    private final boolean insecure;
    private final @Nullable InetAddress bindAddress;
    private final MultiThreadIoEventLoopGroup group;
    private final EventLoop loop;
    private final QuicSslContext ingressTls;
    /** TLS over TCP to the ingress, for {@link Transport#H2}. */
    private final SslContext ingressTcpTls;

    private volatile Transport transport;
    private final QuicSslContext egressTls;
    private final UdpProxyTemplate template;
    private @Nullable CompletableFuture<Session> session; // guarded by this
    private int reconnects;
    private volatile boolean closed;
    private final LocationPrecision precision;
    private volatile String @Nullable [] locationOverride;
    /** Fetches Privacy Pass tokens when the config names an issuer; null otherwise. */
    private final @Nullable TokenFetcher tokens;
    /** The ingress's token challenge, once a 407 told us (RFC 9577 §2.1). */
    private volatile @Nullable PrivateTokenChallenge tokenChallenge;

    /** How precisely the client presents its asserted location (docs/architecture.md §4). */
    public enum LocationPrecision {
        /** The full asserted geohash (default 5 characters, about 5 km). */
        PRECISE,
        /** A 2-character prefix: about country and time-zone level. */
        COARSE
    }

    /** Geohash characters presented in {@link LocationPrecision#COARSE} mode. */
    public static final int COARSE_PRECISION = 2;

    /** Which hops the inner connection crosses. */
    public enum Route {
        /** Through the ingress's connect-udp tunnel to the egress: the deployed path. */
        TWO_HOPS,
        /**
         * Straight to the egress over plain UDP, with no ingress: the egress sees the client's
         * address, so this breaks the privacy model (docs/architecture.md §2). It exists only to
         * measure what the ingress hop costs, and the egress admits it only from an address in
         * its {@code ingress-prefixes}.
         */
        EGRESS_ONLY
    }

    private final Route route;

    /** Transforms offered for forwarded mode, best first; empty: tunnelled only. */
    private volatile List<String> forwardingTransforms;

    private final ForwardingClient.Stats forwardingStats = new ForwardingClient.Stats();
    private final SecureRandom random = new SecureRandom();

    /**
     * @param bindAddress local source address of the outer connection, or null for any
     */
    public MasqueClient(ClientConfig config, boolean insecure, @Nullable InetAddress bindAddress) throws Exception {
        this(config, insecure, bindAddress, LocationPrecision.PRECISE);
    }

    /**
     * @param bindAddress local source address of the outer connection, or null for any
     * @param precision how precisely to present the asserted location to the egress
     */
    public MasqueClient(
            ClientConfig config, boolean insecure, @Nullable InetAddress bindAddress, LocationPrecision precision)
            throws Exception {
        this(config, insecure, bindAddress, precision, Route.TWO_HOPS);
    }

    /**
     * @param bindAddress local source address of the first hop's socket, or null for any
     * @param route {@link Route#EGRESS_ONLY} for benchmarks only
     */
    public MasqueClient(
            ClientConfig config,
            boolean insecure,
            @Nullable InetAddress bindAddress,
            LocationPrecision precision,
            Route route)
            throws Exception {
        this.route = route;
        this.precision = precision;
        this.forwardingTransforms = config.quicForwardingOrDefault() ? ForwardingClient.OFFER : List.of();
        this.config = config;
        this.tokens = config.tokens() == null
                ? null
                : TokenFetcher.builder(
                                config.tokens().issuer(),
                                Files.readString(Objects.requireNonNull(
                                                config.tokens().apiKeyFile(), "tokens.api-key-file"))
                                        .strip())
                        .allowPlainHttp(insecure) // plain HTTP is accepted to a loopback issuer only
                        .build();
        this.insecure = insecure;
        this.bindAddress = bindAddress;
        this.template = config.template();
        this.ingressTls = TrustOptions.context(config.ingress(), config.caFile(), insecure);
        this.ingressTcpTls = TrustOptions.tcpContext(config.ingress(), config.caFile(), insecure);
        this.transport = config.transportOrDefault();
        this.egressTls = TrustOptions.context(config.egress(), config.caFile(), insecure);
        this.group = new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("masque-client"),
                IoTransport.current().handlerFactory());
        this.loop = group.next();
    }

    /** One outer connection, its tunnel and the inner connection through it. */
    private static final class Session {
        @Nullable
        Channel outerSocket;

        /** In front of the outer codec: takes packets the ingress forwards (docs/quic-forwarding.md). */
        final ForwardingClient.Receiver receiver = new ForwardingClient.Receiver();

        @Nullable
        QuicChannel outer;

        /** The outer connection over HTTP/2 (TLS on TCP) instead of {@link #outer}. */
        @Nullable
        Channel h2;

        /** The connect-udp stream: a QUIC stream of {@link #outer}, or an HTTP/2 stream of {@link #h2}. */
        @Nullable
        Channel tunnel;

        @Nullable
        Channel innerSocket;

        @Nullable
        QuicChannel inner;

        /** The outer path's size when the inner connection started (for diagnostics). */
        long outerPmtu;

        /** The tunnel carries the inner packets in DATAGRAM capsules, not QUIC DATAGRAM frames. */
        boolean capsules;

        /** The ingress's signed location for us, or null when it sends none (docs/architecture.md §4). */
        volatile @Nullable GeoAssertion location;

        /** An HTTP/2 attempt was started on this session ({@link #race}). */
        boolean startedHttp2;

        int openStreams; // on the event loop
        boolean retired; // on the event loop

        boolean alive() {
            boolean outerAlive;
            if (h2 != null) {
                outerAlive = h2.isActive() && tunnel != null && tunnel.isActive() && !Http2Outer.goingAway(h2);
            } else {
                outerAlive = outer == null // Route.EGRESS_ONLY has no outer connection
                        || (outer.isActive() && tunnel != null && tunnel.isActive() && !goingAway(outer));
            }
            return inner != null && inner.isActive() && outerAlive && !goingAway(inner);
        }

        /** Replaced by a new session: finish the flows still open here, then close. */
        void retire() {
            retired = true;
            closeIfRetiredAndIdle();
        }

        void streamOpened() {
            openStreams++;
        }

        void streamClosed() {
            openStreams--;
            closeIfRetiredAndIdle();
        }

        private void closeIfRetiredAndIdle() {
            if (retired && openStreams == 0) {
                close();
            }
        }

        /** Done once every channel of the session is closed. */
        final CompletableFuture<Void> closedAll = new CompletableFuture<>();

        boolean closing;

        /**
         * Closes the session, inner connection first: its CONNECTION_CLOSE must still travel
         * through the tunnel, or the egress would hold the connection until its idle timeout.
         * Call on the event loop.
         */
        void close() {
            if (closing) {
                return;
            }
            closing = true;
            if (inner != null && inner.isActive() && tunnel != null && tunnel.isActive()) {
                inner.close();
                // The close packet leaves in an outer DATAGRAM; a short grace lets the outer
                // connection send it before the tunnel goes.
                tunnel.eventLoop().schedule(this::closeRest, INNER_CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                closeRest();
            }
        }

        private void closeRest() {
            for (Channel c : new Channel[] {inner, tunnel, outer, h2, innerSocket, outerSocket}) {
                if (c != null) {
                    c.close();
                }
            }
            closedAll.complete(null);
        }
    }

    /**
     * Which packet transforms the next tunnels offer for forwarded mode (docs/quic-forwarding.md),
     * best first; empty turns forwarding off. The config's {@code quic-forwarding} sets the default:
     * {@code scramble-dt} only. {@code identity} is for tests and benchmarks: an observer of both
     * sides of the ingress can match its packets.
     */
    public void offerForwarding(List<String> transforms) {
        this.forwardingTransforms = List.copyOf(transforms);
    }

    /** Inner packets sent ({@code sent}) or received in forwarded mode so far, over all sessions. */
    public long forwardedPackets(boolean sent) {
        return sent ? forwardingStats.sent.sum() : forwardingStats.received.sum();
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
        if (s != null
                && (!s.isDone() || (!s.isCompletedExceptionally() && s.join().alive()))) {
            return s;
        }
        if (s != null) {
            reconnects++;
            if (s.isDone() && !s.isCompletedExceptionally()) {
                // After a GOAWAY (RFC 9114 §5.2) the flows already open may finish; a dead
                // session has nothing left to finish, so retiring closes it at once.
                Session old = s.join();
                loop.execute(old::retire);
            }
        }
        CompletableFuture<Session> created = new CompletableFuture<>();
        session = created;
        loop.execute(() -> establish(created));
        return created;
    }

    private void establish(CompletableFuture<Session> result) {
        if (route == Route.EGRESS_ONLY) {
            Session s = new Session();
            closeOnFailure(s, result);
            // Socket setup blocks briefly on the bind, so it runs off the event loop.
            CompletableFuture.runAsync(() -> openInnerDirect(s, result)).exceptionally(e -> fail(result, e));
            return;
        }
        Transport t = transport;
        if (t == Transport.AUTO && udpBlockedHere()) {
            log.debug("QUIC did not reach the ingress from this network lately; using HTTP/2");
            t = Transport.H2;
        }
        if (t != Transport.AUTO) {
            Session s = new Session();
            closeOnFailure(s, result);
            (t == Transport.H3 ? connectOuterQuic(s) : connectOuterHttp2(s))
                    .thenRun(() -> loop.execute(() -> openTunnel(s, result)))
                    .exceptionally(e -> fail(result, e));
            return;
        }
        race(result);
    }

    /**
     * {@link Transport#AUTO}: QUIC first, then HTTP/2 after {@link #ATTEMPT_DELAY_MILLIS} or as
     * soon as QUIC fails (RFC 8305 §5, as browsers race QUIC against TCP). The first outer
     * connection that is up carries the tunnel and the other is closed, so one token is spent.
     * When HTTP/2 wins, this network is remembered for {@link #UDP_BLOCKED_MEMORY}.
     */
    private void race(CompletableFuture<Session> result) {
        Session quic = new Session();
        Session tcp = new Session();
        CompletableFuture<Session> winner = new CompletableFuture<>();
        CompletableFuture<Void> quicUp = connectOuterQuic(quic);
        CompletableFuture<Void> tcpUp = new CompletableFuture<>();
        Runnable startHttp2 = () -> {
            if (!winner.isDone() && !tcp.startedHttp2) {
                connectOuterHttp2(tcp).whenComplete((ok, e) -> {
                    if (e != null) {
                        tcpUp.completeExceptionally(e);
                    } else {
                        tcpUp.complete(null);
                    }
                });
            }
        };
        loop.schedule(startHttp2, ATTEMPT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        quicUp.whenComplete((ok, e) -> loop.execute(() -> {
            if (e == null) {
                winner.complete(quic);
            } else if (tcpUp.isDone() && tcpUp.isCompletedExceptionally()) {
                winner.completeExceptionally(e);
            } else {
                startHttp2.run(); // QUIC failed before the delay: no reason to wait
            }
        }));
        tcpUp.whenComplete((ok, e) -> loop.execute(() -> {
            if (e == null) {
                if (winner.complete(tcp)) {
                    rememberUdpBlocked(tcp);
                }
            } else if (quicUp.isCompletedExceptionally()) {
                Throwable quicError = quicUp.handle((x, q) -> q).join();
                if (quicError != null) {
                    quicError.addSuppressed(e);
                    winner.completeExceptionally(quicError);
                } else {
                    winner.completeExceptionally(e);
                }
            }
        }));
        winner.whenComplete((s, e) -> loop.execute(() -> {
            // The loser goes, also if it connects later.
            Session loser = s == quic ? tcp : quic;
            CompletableFuture<Void> loserUp = s == quic ? tcpUp : quicUp;
            loser.close();
            loserUp.whenComplete((x, y) -> loop.execute(loser::close));
            if (e != null) {
                result.completeExceptionally(e);
                return;
            }
            closeOnFailure(s, result);
            log.debug("connected to the ingress over {}", s.h2 != null ? "HTTP/2" : "QUIC");
            openTunnel(s, result);
        }));
    }

    private void closeOnFailure(Session s, CompletableFuture<Session> result) {
        result.whenComplete((ok, err) -> {
            if (err != null) {
                loop.execute(s::close);
            }
        });
    }

    /** This network's key: our local address toward the ingress, and the ingress. */
    private String networkKey() {
        InetSocketAddress ingress = config.ingress().socketAddress();
        InetAddress local = bindAddress;
        if (local == null) {
            // The address the kernel's route to the ingress would use; connect sends no packet.
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
                probe.connect(ingress);
                local = probe.getLocalAddress();
            } catch (IOException | RuntimeException e) {
                local = null;
            }
        }
        return (local == null ? "?" : local.getHostAddress()) + " -> " + ingress;
    }

    private boolean udpBlockedHere() {
        Long since = UDP_BLOCKED.get(networkKey());
        return since != null && System.nanoTime() - since < UDP_BLOCKED_MEMORY.toNanos();
    }

    private void rememberUdpBlocked(Session won) {
        String key = networkKey();
        UDP_BLOCKED.put(key, System.nanoTime());
        log.info(
                "QUIC did not connect to the ingress within {} ms, HTTP/2 did: using HTTP/2 from {} for the next {} min",
                ATTEMPT_DELAY_MILLIS,
                key,
                UDP_BLOCKED_MEMORY.toMinutes());
    }

    /** The networks, as {@code local -> ingress}, that go straight to HTTP/2 for now. */
    public static java.util.Set<String> blockedNetworks() {
        long now = System.nanoTime();
        java.util.Set<String> out = new java.util.TreeSet<>();
        UDP_BLOCKED.forEach((k, since) -> {
            if (now - since < UDP_BLOCKED_MEMORY.toNanos()) {
                out.add(k);
            }
        });
        return out;
    }

    /** For tests: forgets every network where only HTTP/2 reached the ingress. */
    public static void forgetBlockedNetworks() {
        UDP_BLOCKED.clear();
    }

    /** Chooses how the next sessions reach the ingress; the config's {@code transport} is the default. */
    public void transport(Transport t) {
        this.transport = t;
    }

    /** The outer connection over QUIC; completes once the ingress's SETTINGS allow extended CONNECT. */
    private CompletableFuture<Void> connectOuterQuic(Session s) {
        CompletableFuture<Void> up = new CompletableFuture<>();
        ChannelHandler outerCodec = clientCodec(
                        ingressTls, config.ingress(), OUTER_MAX_UDP_PAYLOAD, config.quicDatagramsOrDefault())
                .initialMaxData(16L << 20)
                // The tunnel's stream, when it carries DATAGRAM capsules: the ingress may queue
                // this much toward us, as over HTTP/2 (Http2Outer.STREAM_WINDOW).
                .initialMaxStreamDataBidirectionalLocal(4L << 20)
                .initialMaxStreamDataBidirectionalRemote(1L << 20)
                .initialMaxStreamsBidirectional(16)
                .build();
        ChannelHandler outerPipeline = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(s.receiver, outerCodec);
            }
        };
        udpSocket(outerPipeline).bind(new InetSocketAddress(bindAddress, 0)).addListener(bound -> {
            if (!bound.isSuccess()) {
                up.completeExceptionally(bound.cause());
                return;
            }
            s.outerSocket = ((ChannelFuture) bound).channel();
            QuicChannel.newBootstrap(s.outerSocket)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                    .handler(connectionInitializer(config.quicDatagramsOrDefault()))
                    .remoteAddress(config.ingress().socketAddress())
                    .connect()
                    .addListener((Future<QuicChannel> f) -> {
                        if (!f.isSuccess()) {
                            up.completeExceptionally(wrap("ingress", f.cause()));
                            return;
                        }
                        s.outer = f.getNow();
                        watchLiveness("ingress", s.outer);
                        // Losing any layer ends the session, so flows on it fail now
                        // instead of waiting for the inner connection's idle timeout.
                        s.outer.closeFuture().addListener(c -> s.close());
                        // Without HTTP Datagrams the tunnel runs on DATAGRAM capsules (RFC 9297 §3.5).
                        awaitExtendedConnect("ingress", s.outer, false).whenComplete((ok, e) -> {
                            if (e != null) {
                                up.completeExceptionally(e);
                            } else {
                                up.complete(null);
                            }
                        });
                    });
        });
        return up;
    }

    /** The outer connection over HTTP/2 to the ingress's address and port on TCP ({@link Http2Outer}). */
    private CompletableFuture<Void> connectOuterHttp2(Session s) {
        s.startedHttp2 = true;
        HopConfig hop = config.ingress();
        return Http2Outer.connect(
                        loop, hop.socketAddress(), hop.serverNameOrAddress(), ingressTcpTls, CONNECT_TIMEOUT_MILLIS)
                .handle((tcp, e) -> {
                    if (e != null) {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        throw new CompletionException(new IOException(
                                "cannot connect to the ingress over HTTP/2 (TCP " + hop.socketAddress() + "): " + cause,
                                cause));
                    }
                    s.h2 = tcp;
                    tcp.closeFuture().addListener(c -> s.close());
                    return null;
                });
    }

    /** A UDP socket on the client's event loop with 4 MiB buffers, for the outer socket or the one-hop inner one. */
    private Bootstrap udpSocket(ChannelHandler handler) {
        return IoTransport.current()
                .udp(new Bootstrap().group(loop))
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 1024).maxMessagesPerRead(16))
                .handler(handler);
    }

    /**
     * An HTTP/3 client codec toward {@code hop}: certificate checked for its server name (SNI and
     * hostname, docs/netty.md trap 2), packets of {@code maxUdpPayload}, DATAGRAM frames on.
     */
    private static QuicClientCodecBuilder clientCodec(
            QuicSslContext tls, HopConfig hop, int maxUdpPayload, boolean datagrams) {
        QuicClientCodecBuilder b = Http3.newQuicClientCodecBuilder()
                .sslEngineProvider(q -> tls.newEngine(
                        q.alloc(),
                        hop.serverNameOrAddress(),
                        hop.socketAddress().getPort()))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .maxSendUdpPayloadSize(maxUdpPayload)
                .maxRecvUdpPayloadSize(maxUdpPayload)
                // The ID the relay puts in every packet to us: 8 bytes instead of quiche's 20,
                // 12 more bytes of payload in each outer and each inner packet (RFC 9000 §5.1).
                .localConnectionIdLength(CONNECTION_ID_LENGTH)
                // DPLPMTUD (RFC 8899, RFC 9000 §14.3): quiche sends 1200-byte packets until a
                // padded PING probe of a larger size is acknowledged, first at maxUdpPayload, then
                // by binary search after three losses of one size.
                .discoverPmtu(true)
                .initialMaxStreamsUnidirectional(8);
        return datagrams ? b.datagram(4096, 4096) : b;
    }

    private static ChannelInitializer<QuicChannel> connectionInitializer(boolean datagrams) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(QuicChannel ch) {
                ch.pipeline().addLast(new HttpDatagramDemuxHandler(TunnelMetrics.NOOP, datagrams));
                ch.pipeline()
                        .addLast(new Http3ClientConnectionHandler(
                                new PeerSettingsHandler(),
                                null,
                                null,
                                PeerSettingsHandler.localMasqueSettings(datagrams),
                                true));
            }
        };
    }

    /** RFC 9220 §3: do not send an extended CONNECT before the peer's SETTINGS allow it. */
    private static CompletableFuture<Void> awaitExtendedConnect(String hop, QuicChannel ch, boolean needDatagrams) {
        return PeerSettingsHandler.peerSettings(ch)
                .orTimeout(10, TimeUnit.SECONDS)
                .thenAccept(settings -> {
                    if (goingAway(ch)) {
                        throw new CompletionException(new IOException("the " + hop + " is shutting down (GOAWAY)"));
                    }
                    if (!isOne(settings, H3Settings.SETTINGS_ENABLE_CONNECT_PROTOCOL)) {
                        throw new CompletionException(new IOException(hop + " does not support extended CONNECT"));
                    }
                    if (needDatagrams && !isOne(settings, H3Settings.SETTINGS_H3_DATAGRAM)) {
                        throw new CompletionException(new IOException(hop + " does not support HTTP Datagrams"));
                    }
                });
    }

    /** True once the peer sent GOAWAY: no new requests on this connection (RFC 9114 §5.2). */
    static boolean goingAway(QuicChannel ch) {
        Http3ConnectionHandler h = ch.pipeline().get(Http3ConnectionHandler.class);
        return h != null && h.isGoAwayReceived();
    }

    private static boolean isOne(Http3SettingsFrame s, long id) {
        Long v = s.get(id);
        return v != null && v == 1L;
    }

    private void openTunnel(Session s, CompletableFuture<Session> result) {
        // The inner connection's packets appear to come from our outer socket's address.
        Channel outerSocket = s.h2 != null ? s.h2 : Objects.requireNonNull(s.outerSocket, "outerSocket");
        TunnelDatagramChannel bridge = new TunnelDatagramChannel(
                (InetSocketAddress) outerSocket.localAddress(), config.egress().socketAddress());
        // With a challenge already known, send a token up front; a first tunnel learns it from
        // the ingress's 407 (RFC 9577 §2.1) and retries once with a token.
        PrivateTokenChallenge known = tokenChallenge;
        CompletableFuture<Token> token =
                tokens != null && known != null ? tokens.nextAsync(known) : CompletableFuture.completedFuture(null);
        token.thenCompose(t -> requestTunnel(s, bridge, t))
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (tokens == null
                            || !(cause instanceof ProxyResponseException p)
                            || p.status() != 407
                            || p.proxyAuthenticate() == null) {
                        return CompletableFuture.failedFuture(cause);
                    }
                    PrivateTokenChallenge challenge;
                    try {
                        challenge =
                                tokens.selectChallenge(p.proxyAuthenticate()).orElse(null);
                    } catch (RuntimeException malformed) {
                        challenge = null;
                    }
                    if (challenge == null) {
                        return CompletableFuture.failedFuture(new IOException(
                                "the ingress asks for a token this client's issuer cannot provide: "
                                        + p.proxyAuthenticate(),
                                p));
                    }
                    if (challenge.equals(known)) {
                        tokens.discard(challenge.decodeChallenge()); // the cached tokens were refused
                    }
                    tokenChallenge = challenge;
                    return tokens.nextAsync(challenge).thenCompose(t -> requestTunnel(s, bridge, t));
                })
                .thenRun(() -> loop.execute(() -> openInner(s, bridge, result)))
                .exceptionally(e -> fail(result, e));
    }

    /** One connect-udp request for the tunnel to the egress, with {@code token} if not null. */
    private CompletableFuture<Channel> requestTunnel(Session s, TunnelDatagramChannel bridge, @Nullable Token token) {
        InetSocketAddress egress = config.egress().socketAddress();
        Http3Headers h = new DefaultHttp3Headers()
                .method("CONNECT")
                .protocol("connect-udp")
                .scheme("https")
                .authority(authority(config.ingress()))
                .path(template.expandPath(egress.getAddress().getHostAddress(), egress.getPort()));
        h.set("capsule-protocol", "?1");
        List<String> transforms = forwardingTransforms;
        // Forwarded mode moves inner packets beside the outer QUIC connection: QUIC only.
        ForwardingClient forwarding =
                transforms.isEmpty() || s.h2 != null ? null : new ForwardingClient(transforms, random, forwardingStats);
        if (forwarding != null) {
            h.set(ProxyQuicForwarding.FIELD, forwarding.offerField());
        }
        if (token != null) {
            h.set("proxy-authorization", PrivateTokenCredentials.of(token).toFieldValue());
        }
        CompletableFuture<Channel> opened = new CompletableFuture<>();
        RequestStreamHandler<Channel> handler = new RequestStreamHandler<>(
                "ingress",
                stream -> {
                    Http3Headers response =
                            stream.attr(RequestStreamHandler.RESPONSE).get();
                    s.location = locationOf(response);
                    DatagramTunnelHandler tunnel = new DatagramTunnelHandler(stream, bridge, TunnelMetrics.NOOP);
                    bridge.tunnel(tunnel);
                    ChannelHandlerContext receiverContext = s.receiver.context();
                    if (forwarding != null
                            && response != null
                            && receiverContext != null
                            && forwarding.accept(response)) {
                        forwarding.join(
                                tunnel,
                                bridge,
                                receiverContext,
                                config.ingress().socketAddress());
                        bridge.forwarding(forwarding);
                        s.receiver.client(forwarding);
                    }
                    stream.pipeline().addLast(tunnel);
                },
                opened);
        Channel h2 = s.h2;
        loop.execute(() -> {
            Future<? extends Channel> stream =
                    h2 != null ? Http2Outer.openStream(h2, handler) : Http3.newRequestStream(s.outer, handler);
            stream.addListener(f -> {
                if (!f.isSuccess()) {
                    opened.completeExceptionally(f.cause());
                    return;
                }
                stream.getNow().writeAndFlush(new DefaultHttp3HeadersFrame(h));
            });
        });
        return opened.thenApply(stream -> {
            s.tunnel = stream;
            stream.closeFuture().addListener(c -> s.close());
            return stream;
        });
    }

    private void openInner(Session s, TunnelDatagramChannel bridge, CompletableFuture<Session> result) {
        // The tunnel is up: requestTunnel set it, and the outer connection before it.
        Channel tunnel = Objects.requireNonNull(s.tunnel, "tunnel");
        QuicChannel outer = s.outer;
        int reported = outer == null ? -1 : HttpDatagramDemuxHandler.of(outer).maxDatagramLength();
        if (outer == null || reported < 0) {
            // No QUIC datagrams on the outer connection (HTTP/2, our setting, or the ingress
            // offers none): the tunnel's DatagramTunnelHandler sends DATAGRAM capsules on the
            // request stream (RFC 9297 §3.5), which no frame size limits. The inner connection
            // still probes the path from the ingress to the egress, up to a 1500-byte MTU's UDP
            // payload.
            s.capsules = true;
            int capsuleMax = Math.min(config.innerMaxUdpPayloadOrDefault(OUTER_MAX_UDP_PAYLOAD), OUTER_MAX_UDP_PAYLOAD);
            startInner(s, bridge, capsuleMax, result);
            return;
        }
        long outerPacket =
                Math.min(OUTER_MAX_UDP_PAYLOAD, outer.peerTransportParameters().maxUdpPayloadSize());
        int[] frame = outerDatagramFrame(reported, (int) outerPacket);
        // An inner packet also carries the quarter stream id and context id (RFC 9297 §2.1, RFC 9298 §5).
        int tunnelOverhead = HttpDatagram.overhead(((QuicStreamChannel) tunnel).streamId() / 4, 0);
        int room = frame[0] - tunnelOverhead;
        if (room < MIN_QUIC_PACKET) {
            result.completeExceptionally(new IOException("the ingress path carries datagrams of " + room
                    + " bytes; a nested QUIC connection needs " + MIN_QUIC_PACKET + " (RFC 9000 §14)"));
            return;
        }
        int innerMax = Math.min(config.innerMaxUdpPayloadOrDefault(room), room);
        // The outer packet that carries a minimum-size inner packet.
        int needed = MIN_QUIC_PACKET + tunnelOverhead + frame[1];
        awaitOuterPmtu(s, outer, needed, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MILLIS))
                .thenRun(() -> loop.execute(() -> startInner(s, bridge, innerMax, result)))
                .exceptionally(e -> fail(result, e));
    }

    /**
     * The largest DATAGRAM frame payload the outer connection may send once its path MTU discovery
     * reached {@code outerPacket}, and the per-packet overhead it has: {@code {frame, overhead}}.
     *
     * <p>quiche reports one figure, when the connection is established: {@code reported}, its
     * packet size then less the short header (1 byte and the ingress's connection ID), the
     * packet number (4), the AEAD tag (16) and the frame's type and length (3), capped by the
     * ingress's max_datagram_frame_size (RFC 9221 §3). With DPLPMTUD that packet size is either
     * the 1200-byte start or already the first probe's, depending on timing. A figure 24 to 44
     * bytes (IDs of 0 to 20 bytes) below 1200 is the start's, and is scaled to {@code
     * outerPacket}; any other is taken as it is.
     */
    static int[] outerDatagramFrame(int reported, int outerPacket) {
        int overhead = MIN_QUIC_PACKET - reported;
        if (overhead >= MIN_SHORT_PACKET_OVERHEAD && overhead <= MIN_SHORT_PACKET_OVERHEAD + 20) {
            return new int[] {outerPacket - overhead, overhead};
        }
        // Reported at the full size, or capped by the peer: then the overhead is at most a
        // 20-byte ID's (RFC 9000 §17.2).
        int packetOverhead =
                Math.max(MIN_SHORT_PACKET_OVERHEAD, Math.min(outerPacket - reported, MIN_SHORT_PACKET_OVERHEAD + 20));
        return new int[] {reported, packetOverhead};
    }

    /**
     * Completes once the outer connection's path has been shown to carry UDP payloads of {@code
     * needed} bytes (RFC 8899 §4.3: its PMTU probes were acknowledged). Until then an inner Initial
     * (1200 bytes, RFC 9000 §14.1) would not fit one outer DATAGRAM frame and would be dropped.
     */
    private CompletableFuture<Void> awaitOuterPmtu(Session s, QuicChannel outer, int needed, long deadline) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        outer.collectPathStats(0).addListener((Future<QuicConnectionPathStats> f) -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(wrap("ingress", f.cause()));
                return;
            }
            long pmtu = f.getNow().pmtu();
            s.outerPmtu = pmtu;
            if (pmtu >= needed) {
                done.complete(null);
            } else if (!outer.isActive()) {
                done.completeExceptionally(new IOException("the ingress closed the connection"));
            } else if (System.nanoTime() > deadline) {
                done.completeExceptionally(new IOException("the path to the ingress carries UDP payloads of only "
                        + pmtu + " bytes; a nested QUIC connection needs " + needed
                        + " (1200 for its own packets, RFC 9000 §14, plus the outer headers)"));
            } else {
                loop.schedule(
                        () -> awaitOuterPmtu(s, outer, needed, deadline).whenComplete((ok, e) -> {
                            if (e != null) {
                                done.completeExceptionally(e);
                            } else {
                                done.complete(null);
                            }
                        }),
                        PMTU_POLL_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        });
        return done;
    }

    private void startInner(Session s, TunnelDatagramChannel bridge, int innerMax, CompletableFuture<Session> result) {
        bridge.pipeline().addLast(innerCodec(innerMax));
        s.innerSocket = bridge;
        loop.register(bridge).addListener(registered -> {
            if (!registered.isSuccess()) {
                result.completeExceptionally(registered.cause());
                return;
            }
            connectInner(s, config.egress().socketAddress(), result);
        });
    }

    /** {@link Route#EGRESS_ONLY}: the inner connection from a plain UDP socket of ours. */
    private void openInnerDirect(Session s, CompletableFuture<Session> result) {
        s.innerSocket = udpSocket(innerCodec(config.innerMaxUdpPayloadOrDefault(OUTER_MAX_UDP_PAYLOAD)))
                .bind(new InetSocketAddress(bindAddress, 0))
                .syncUninterruptibly()
                .channel();
        connectInner(s, config.egress().socketAddress(), result);
    }

    private ChannelHandler innerCodec(int maxUdpPayload) {
        // No connection-level limit in practice: stalled streams would use it up and stop every
        // other flow (docs/architecture.md, "Flow-control windows and stalled readers").
        return clientCodec(egressTls, config.egress(), maxUdpPayload, true)
                .initialMaxData(INNER_MAX_DATA)
                .initialMaxStreamDataBidirectionalLocal(2L << 20)
                .initialMaxStreamDataBidirectionalRemote(2L << 20)
                .initialMaxStreamsBidirectional(1024)
                .build();
    }

    /** Keep-alive and dead-peer detection on one hop: a killed hop ends the session at once. */
    private static void watchLiveness(String hop, QuicChannel ch) {
        ConnectionLiveness.watch(
                ch,
                KEEPALIVE_AFTER,
                DEAD_PEER_AFTER,
                silent -> log.info(
                        "{} stopped answering: no packet for {} ms; closing the session and its flows",
                        hop,
                        silent.toMillis()));
    }

    /** Connects the inner QUIC connection from {@code s.innerSocket} to {@code remote}. */
    private void connectInner(Session s, SocketAddress remote, CompletableFuture<Session> result) {
        QuicChannel.newBootstrap(s.innerSocket)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(connectionInitializer(true))
                .remoteAddress(remote)
                .connect()
                .addListener((Future<QuicChannel> f) -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(wrap("egress", f.cause()));
                        return;
                    }
                    s.inner = f.getNow();
                    watchLiveness("egress", s.inner);
                    s.inner.closeFuture().addListener(c -> s.close());
                    awaitExtendedConnect("egress", s.inner, true)
                            .thenRun(() -> result.complete(s))
                            .exceptionally(e -> fail(result, e));
                });
    }

    private static Throwable wrap(String hop, Throwable cause) {
        return new IOException("cannot connect to the " + hop + ": " + cause, cause);
    }

    private static <T> @Nullable Void fail(CompletableFuture<T> result, Throwable e) {
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
        Http3Headers h = new DefaultHttp3Headers()
                .method("CONNECT")
                .protocol("connect-udp")
                .scheme("https")
                .authority(authority(config.egress()))
                .path(template.expandPath(host, port));
        h.set("capsule-protocol", "?1");
        DatagramTunnelHandler[] ref = new DatagramTunnelHandler[1];
        return openStream(h, stream -> {
                    ref[0] = new DatagramTunnelHandler(stream, local, TunnelMetrics.NOOP);
                    stream.pipeline().addLast(ref[0]);
                })
                .thenApply(stream -> ref[0]);
    }

    /**
     * The {@code geo-assertion} of a connect-udp 2xx, or null if it carries none.
     *
     * @throws IllegalArgumentException if the field is malformed (the ingress is broken)
     */
    private static @Nullable GeoAssertion locationOf(@Nullable Http3Headers response) {
        CharSequence v = response == null ? null : response.get(GeoAssertion.FIELD);
        if (v == null) {
            return null;
        }
        try {
            return GeoAssertion.parse(v.toString());
        } catch (GeoAssertionException e) {
            throw new IllegalArgumentException("the ingress sent a malformed geo-assertion: " + e.getMessage(), e);
        }
    }

    /**
     * The location the client presents on inner requests: the asserted cell, cut to two
     * characters (country and time-zone level) in {@link LocationPrecision#COARSE} mode.
     */
    private SecChGeohash presented(GeoAssertion a) {
        SecChGeohash full = a.location();
        return precision == LocationPrecision.COARSE && full.geohash().length() > COARSE_PRECISION
                ? full.truncate(COARSE_PRECISION)
                : full;
    }

    /**
     * The location this client presents to the egress, once connected; empty when the ingress
     * sends no assertion.
     */
    public Optional<SecChGeohash> location() {
        return assertion().map(this::presented);
    }

    /** The current session's assertion, if it is up and has one. */
    private Optional<GeoAssertion> assertion() {
        CompletableFuture<Session> s;
        synchronized (this) {
            s = session;
        }
        if (s == null || !s.isDone() || s.isCompletedExceptionally()) {
            return Optional.empty();
        }
        return Optional.ofNullable(s.join().location);
    }

    /**
     * The {@code geo-assertion} field the ingress issued for this client, verbatim; empty before
     * connecting or when the ingress sends none.
     */
    public Optional<String> geoAssertion() {
        return assertion().map(GeoAssertion::toHeaderValue);
    }

    /**
     * Sends these location fields on inner requests instead of the asserted ones; a null field
     * is left out. For researchers and tests probing how an egress treats forged, stale or
     * mismatched assertions; a normal client never calls it. {@link #clearLocationOverride}
     * restores the asserted fields.
     */
    public void overrideLocationFields(@Nullable String secChGeohash, @Nullable String geoAssertion) {
        locationOverride = new String[] {secChGeohash, geoAssertion};
    }

    public void clearLocationOverride() {
        locationOverride = null;
    }

    private void addLocation(Session s, Http3Headers h) {
        String[] override = locationOverride;
        if (override != null) {
            if (override[0] != null) {
                h.set(SecChGeohash.FIELD, override[0]);
            }
            if (override[1] != null) {
                h.set(GeoAssertion.FIELD, override[1]);
            }
        } else if (s.location != null) {
            h.set(SecChGeohash.FIELD, presented(s.location).toHeaderValue());
            h.set(GeoAssertion.FIELD, s.location.toHeaderValue());
        }
    }

    private CompletableFuture<QuicStreamChannel> openStream(Http3Headers headers, Consumer<QuicStreamChannel> onOpen) {
        return session().thenCompose(s -> {
            addLocation(s, headers);
            CompletableFuture<QuicStreamChannel> opened = new CompletableFuture<>();
            Http3.newRequestStreamBootstrap(s.inner, new RequestStreamHandler<>("egress", onOpen, opened))
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .create()
                    .addListener((Future<QuicStreamChannel> f) -> {
                        if (!f.isSuccess()) {
                            opened.completeExceptionally(f.cause());
                            return;
                        }
                        s.streamOpened();
                        f.getNow().closeFuture().addListener(c -> s.streamClosed());
                        f.getNow().writeAndFlush(new DefaultHttp3HeadersFrame(headers));
                    });
            return opened;
        });
    }

    /**
     * QUIC statistics of the current session (RFC 9002 loss recovery as quiche counts it): the
     * outer connection's, absent on {@link Route#EGRESS_ONLY}, and the inner connection's.
     */
    public record ConnectionStats(Optional<QuicConnectionStats> outer, QuicConnectionStats inner) {}

    /** Collects {@link ConnectionStats} on the event loop; fails when no session is up. */
    public CompletableFuture<ConnectionStats> connectionStats() {
        return session().thenCompose(s -> {
            CompletableFuture<ConnectionStats> out = new CompletableFuture<>();
            QuicChannel inner = Objects.requireNonNull(s.inner, "a completed session has its inner connection");
            QuicChannel outer = s.outer;
            inner.collectStats().addListener((Future<QuicConnectionStats> in) -> {
                if (!in.isSuccess()) {
                    out.completeExceptionally(in.cause());
                } else if (outer == null) {
                    out.complete(new ConnectionStats(Optional.empty(), in.getNow()));
                } else {
                    outer.collectStats().addListener((Future<QuicConnectionStats> o) -> {
                        if (o.isSuccess()) {
                            out.complete(new ConnectionStats(Optional.of(o.getNow()), in.getNow()));
                        } else {
                            out.completeExceptionally(o.cause());
                        }
                    });
                }
            });
            return out;
        });
    }

    /**
     * The packet sizes the current session's connections send now, as their path MTU discovery
     * has found them (RFC 8899): {@code outer} is 0 on {@link Route#EGRESS_ONLY}; {@code inner} is
     * the UDP payload of an inner QUIC packet, which rides in one outer DATAGRAM frame.
     */
    public record PathMtus(long outer, long inner) {}

    /** Collects {@link PathMtus} on the event loop; fails when no session is up. */
    public CompletableFuture<PathMtus> pathMtus() {
        return session().thenCompose(s -> {
            CompletableFuture<PathMtus> out = new CompletableFuture<>();
            QuicChannel inner = Objects.requireNonNull(s.inner, "a completed session has its inner connection");
            QuicChannel outer = s.outer;
            inner.collectPathStats(0).addListener((Future<QuicConnectionPathStats> in) -> {
                if (!in.isSuccess()) {
                    out.completeExceptionally(in.cause());
                } else if (outer == null) {
                    out.complete(new PathMtus(0, in.getNow().pmtu()));
                } else {
                    outer.collectPathStats(0).addListener((Future<QuicConnectionPathStats> o) -> {
                        if (o.isSuccess()) {
                            out.complete(
                                    new PathMtus(o.getNow().pmtu(), in.getNow().pmtu()));
                        } else {
                            out.completeExceptionally(o.cause());
                        }
                    });
                }
            });
            return out;
        });
    }

    /** How the tunnel through the ingress carries the inner connection's packets. */
    public enum TunnelTransport {
        /** In QUIC DATAGRAM frames of the outer connection (RFC 9297 §2). */
        DATAGRAMS,
        /** In DATAGRAM capsules on the connect-udp request stream (RFC 9297 §3.5). */
        CAPSULES,
        /**
         * In DATAGRAM capsules on an HTTP/2 connect-udp stream over TLS on TCP (RFC 9298 §3.3):
         * the fallback when UDP does not reach the ingress.
         */
        HTTP2_CAPSULES
    }

    /** The current session's tunnel transport; empty before it is up or on {@link Route#EGRESS_ONLY}. */
    public Optional<TunnelTransport> tunnelTransport() {
        CompletableFuture<Session> s;
        synchronized (this) {
            s = session;
        }
        if (s == null || !s.isDone() || s.isCompletedExceptionally()) {
            return Optional.empty();
        }
        Session open = s.join();
        if (open.h2 != null) {
            return Optional.of(TunnelTransport.HTTP2_CAPSULES);
        }
        if (open.outer == null) {
            return Optional.empty();
        }
        return Optional.of(open.capsules ? TunnelTransport.CAPSULES : TunnelTransport.DATAGRAMS);
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
            Session open = s.join();
            loop.execute(open::close);
            try {
                open.closedAll.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing is best effort; the event loop's shutdown closes what is left
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (tokens != null) {
            tokens.close();
        }
    }
}
