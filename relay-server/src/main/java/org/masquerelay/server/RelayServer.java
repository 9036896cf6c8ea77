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
package org.masquerelay.server;

import com.sun.net.httpserver.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.quic.QuicCodecDispatcher;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IoTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay's lifecycle, the same for the ingress and the egress: make the event loops, bind the
 * QUIC listener's UDP sockets, start the admin listener, and on shutdown send GOAWAY, drain until
 * every tunnel ended or the deadline passed, then close in reverse order of opening.
 *
 * <p>The relay supplies its pipeline through {@link Pipeline}, which runs once the event loops
 * exist (an upstream resolver, say, needs one), and may register more resources to close.
 *
 * <p>One UDP socket is served by one event-loop thread, with every connection on it (docs/netty.md
 * trap 8). With {@code threads} above 1 the relay binds that many sockets to the same address
 * with {@code SO_REUSEPORT}, one per event loop, so the kernel spreads peers over the loops by
 * their address and port. A {@link QuicCodecDispatcher} in front of each socket's codec routes a
 * packet that arrives on another socket (after a peer's address changed, say) to the codec that
 * owns its connection ID, which the dispatcher encodes into every ID it issues.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);

    /**
     * Length of the connection IDs a relay issues from one socket: 8 bytes instead of quiche's 20
     * (docs/quic-forwarding.md, "Connection ID length").
     */
    public static final int CONNECTION_ID_LENGTH = 8;

    /**
     * The same with more than one socket: Netty's {@link QuicCodecDispatcher} keeps 2 bytes of
     * each ID for the socket's index and refuses fewer than 10.
     */
    static final int DISPATCHED_CONNECTION_ID_LENGTH = 10;

    /**
     * System property: {@code false} turns off the routing of the old process's packets after a
     * handover, to show what it prevents. Never set it in production.
     */
    public static final String ROUTING_PROPERTY = "masque.upgrade.routing";

    /** Builds the listener's handlers once the event loops exist. */
    @FunctionalInterface
    public interface Pipeline {
        /**
         * @param group the relay's event loops
         * @param resources closed with the server, last registered first
         */
        Listener handlers(EventLoopGroup group, Deque<AutoCloseable> resources) throws Exception;
    }

    /** Runs once the QUIC sockets are bound, with their address: to open more listeners on that port. */
    @FunctionalInterface
    public interface AfterBind {
        /**
         * @param tookOver the QUIC sockets came from a running relay ({@code --upgrade}), which
         *     closes the listener this returns once it hands over; bind it with retries
         * @return the listener opened, closed when this process hands its sockets to a newer one
         *     (docs/architecture.md §7.1); null for none
         */
        @Nullable
        AutoCloseable bound(InetSocketAddress quicAddress, boolean tookOver) throws Exception;
    }

    /**
     * The handlers of every listening socket: {@code filters} first (shared by all sockets, so
     * each must be {@link ChannelHandler.Sharable} when there is more than one), then a QUIC
     * server codec built from {@code codec} for each socket; then {@code afterBind}, if any.
     */
    public record Listener(
            List<ChannelHandler> filters,
            QuicServerCodecBuilder codec,
            @Nullable AfterBind afterBind) {
        public Listener {
            filters = List.copyOf(filters);
        }

        public Listener(List<ChannelHandler> filters, QuicServerCodecBuilder codec) {
            this(filters, codec, null);
        }

        public static Listener of(QuicServerCodecBuilder codec) {
            return new Listener(List.of(), codec);
        }
    }

    private final String name;
    private final RelayConnections connections;
    private final PrometheusMeterRegistry registry;
    private final MultiThreadIoEventLoopGroup group;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<Channel> sockets = new ArrayList<>();
    /** Listeners that {@link Listener#afterBind} opened; closed at a handover. */
    private final List<AutoCloseable> alsoListening = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Optional<AdminServer> admin;
    private final ReloadStatus reloads = new ReloadStatus();
    /** Closed at a handover (the new process binds it) or at shutdown, whichever comes first. */
    private final java.util.concurrent.atomic.AtomicBoolean adminClosed =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** The generation in this process's connection IDs, when it can hand its sockets over. */
    private final int generation;
    /** The Unix socket a newer process takes the sockets from; null without an upgrade socket. */
    private volatile @Nullable Channel upgradeListener;
    /** Packets a newer process routed back to this one after it took the sockets. */
    private final java.util.concurrent.atomic.AtomicLong routedHere = new java.util.concurrent.atomic.AtomicLong();

    private volatile boolean handedOver;
    /** Set by {@link #close}: the handover connection ending then is this process's own doing. */
    private volatile boolean closing;

    private RelayServer(Builder b) throws Exception {
        this.name = b.name;
        // Builder.start() checked connections and pipeline; connections() sets the registry too.
        this.connections = Objects.requireNonNull(b.connections);
        this.registry = Objects.requireNonNull(b.registry);
        // Threads are named after the relay ("ingress-loop-…"), so profiles and per-thread CPU
        // accounting can tell the hops apart.
        group = new MultiThreadIoEventLoopGroup(
                b.threads,
                new DefaultThreadFactory(name + "-loop"),
                IoTransport.current().handlerFactory());
        try {
            Listener listener = Objects.requireNonNull(b.pipeline).handlers(group, resources);
            SocketHandover.Settings handover = b.handover;
            SocketHandover.@Nullable Taken taken = null;
            if (handover != null && handover.takeOver()) {
                // Before anything binds: the running relay keeps serving until this returns.
                taken = SocketHandover.take(handover.socket(), group, hello -> fits(hello, b.listen, b.threads));
                resources.push(taken);
                generation = (taken.generation() + 1) & 0xFFFF;
                log.info(
                        "{}: took {} socket(s) from the running relay (generation {}) in {} ms; this is generation {}",
                        name,
                        taken.sockets().size(),
                        taken.generation(),
                        taken.took().toMillis(),
                        generation);
            } else {
                generation = new java.security.SecureRandom().nextInt(1 << 16);
            }
            bindListeners(b.listen, b.threads, listener, handover != null, taken);
            AfterBind afterBind = listener.afterBind();
            if (afterBind != null) {
                AutoCloseable more = afterBind.bound(quicAddress(), taken != null);
                if (more != null) {
                    alsoListening.add(more);
                }
            }
            if (b.admin.isPresent()) {
                AdminServer server = adminServer(b, taken != null);
                resources.push(() -> {
                    if (adminClosed.compareAndSet(false, true)) {
                        server.close();
                    }
                });
                admin = Optional.of(server);
            } else {
                admin = Optional.empty();
            }
            if (handover != null) {
                Channel upgrade = SocketHandover.listen(handover.socket(), group, name, new HandoverSource(handover));
                upgradeListener = upgrade;
                resources.push(() -> upgrade.close().awaitUninterruptibly(2, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            closeResources();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        log.info(
                "{} listening on {} (QUIC), admin {}",
                name,
                quicAddress() + (sockets.size() > 1 ? " on " + sockets.size() + " sockets (SO_REUSEPORT)" : ""),
                admin.map(a -> a.address().toString()).orElse("off"));
    }

    /**
     * The admin listener. After a handover the old process lets go of its port only once it has
     * stopped reading (a JDK {@code HttpServer} cannot be given a socket), so bind it with retries.
     */
    private AdminServer adminServer(Builder b, boolean afterHandover) throws Exception {
        long end = System.nanoTime() + (afterHandover ? TimeUnit.SECONDS.toNanos(5) : 0);
        while (true) {
            try {
                return new AdminServer(
                        name + "-admin",
                        b.admin.orElseThrow(),
                        registry::scrape,
                        connections::draining,
                        reloads::describe,
                        b.routes);
            } catch (java.io.IOException | RuntimeException e) {
                if (System.nanoTime() >= end) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * Whether the running relay's sockets fit this process: as many QUIC sockets as threads, on
     * the configured address. Refused in plain words otherwise, before the running relay lets go.
     */
    private void fits(SocketHandover.Hello hello, InetSocketAddress listen, int threads) {
        int quic = 0;
        for (SocketHandover.Described d : hello.sockets()) {
            if (d.kind() != SocketHandover.Kind.QUIC_UDP) {
                throw new IllegalArgumentException("the running " + name + " hands over a " + d.kind() + " socket ("
                        + d.label() + ") that this one does not serve");
            }
            quic++;
            String[] ipPort = d.address().split("/");
            int port = Integer.parseInt(ipPort[ipPort.length - 1]);
            String ip = ipPort[0];
            boolean samePort = listen.getPort() == 0 || listen.getPort() == port;
            boolean sameIp = listen.getAddress() == null
                    || listen.getAddress().getHostAddress().equals(ip);
            if (!samePort || !sameIp) {
                throw new IllegalArgumentException("the running " + name + " listens on " + ip + ":" + port
                        + " and this config on " + listen.getAddress().getHostAddress() + ":" + listen.getPort()
                        + "; an upgrade keeps the listen address (a new one needs a restart)");
            }
        }
        if (quic != threads) {
            throw new IllegalArgumentException("the running " + name + " has " + quic
                    + " QUIC socket(s) and this one would have " + threads + "; start this one with --threads " + quic);
        }
    }

    /**
     * Binds {@code threads} QUIC sockets to {@code listen}, each on its own event loop, or adopts
     * the sockets {@code taken} from the running relay. With {@code generations}, every
     * connection ID carries this process's generation (docs/architecture.md §7.1).
     */
    private void bindListeners(
            InetSocketAddress listen,
            int threads,
            Listener listener,
            boolean generations,
            SocketHandover.@Nullable Taken taken)
            throws InterruptedException {
        if (threads == 1) {
            // One socket: the codec as it is, with the codec's own connection IDs.
            QuicServerCodecBuilder codec = listener.codec();
            if (generations) {
                codec.connectionIdAddressGenerator(
                        ConnectionIdGeneration.wrap(QuicConnectionIdGenerator.signGenerator(), generation));
            }
            ChannelHandler built = codec.build();
            if (taken != null) {
                adopt(taken, listener.filters(), built);
            } else {
                sockets.add(bind(listen, false, listener.filters(), built));
            }
            return;
        }
        for (ChannelHandler filter : listener.filters()) {
            if (!filter.getClass().isAnnotationPresent(ChannelHandler.Sharable.class)) {
                throw new IllegalArgumentException(name + ": "
                        + filter.getClass().getName() + " is shared by " + threads + " sockets and must be @Sharable");
            }
        }
        QuicServerCodecBuilder codec = listener.codec();
        QuicCodecDispatcher dispatcher = new QuicCodecDispatcher(DISPATCHED_CONNECTION_ID_LENGTH) {
            @Override
            protected void initChannel(Channel ch, int localConnectionIdLength, QuicConnectionIdGenerator ids) {
                ChannelHandler built;
                synchronized (codec) { // sockets initialise on their own loops; the builder is mutable
                    built = codec.clone()
                            .localConnectionIdLength(localConnectionIdLength)
                            .connectionIdAddressGenerator(ids)
                            .build();
                }
                ch.pipeline().addLast(built);
            }

            @Override
            protected QuicConnectionIdGenerator newIdGenerator(int idx) {
                // The socket's index in bytes 0-1, the generation in bytes 2-3.
                QuicConnectionIdGenerator ids = super.newIdGenerator(idx);
                return generations ? ConnectionIdGeneration.wrap(ids, generation) : ids;
            }
        };
        if (taken != null) {
            adopt(taken, listener.filters(), dispatcher);
            return;
        }
        InetSocketAddress address = listen.getPort() == 0 ? freePort(listen) : listen;
        for (int i = 0; i < threads; i++) {
            sockets.add(bind(address, true, listener.filters(), dispatcher));
        }
    }

    /**
     * A port for {@code listen}'s address that no socket holds. The group cannot bind port 0 with
     * {@code SO_REUSEPORT} itself: Linux may then hand out a port that another {@code SO_REUSEPORT}
     * group of the same user already listens on, and the kernel would spread this relay's clients
     * over both relays. A probe bound without the option gets a port nobody holds; the group binds
     * it right after the probe lets go.
     */
    static InetSocketAddress freePort(InetSocketAddress listen) {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
            probe.setReuseAddress(false);
            probe.bind(listen);
            return new InetSocketAddress(listen.getAddress(), probe.getLocalPort());
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(
                    "cannot find a free UDP port on " + listen.getAddress() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Wraps each descriptor {@code taken} from the running relay in a UDP channel with the same
     * pipeline a bound socket gets, plus a {@link HandoverRouter} in front of {@code last}, and
     * registers them one after the other (a dispatcher numbers its sockets in that order).
     */
    private void adopt(SocketHandover.Taken taken, List<ChannelHandler> filters, ChannelHandler last)
            throws InterruptedException {
        List<SocketHandover.Received> got = taken.sockets();
        boolean route = !"false".equals(System.getProperty(ROUTING_PROPERTY));
        if (!route) {
            log.warn(
                    "{}: {}=false: packets of the old process's connections are not routed back to it, and those"
                            + " connections will fail (a diagnostic setting; UpgradeIT shows what it breaks)",
                    name,
                    ROUTING_PROPERTY);
        }
        List<io.netty.channel.EventLoop> loops = new ArrayList<>();
        group.forEach(e -> loops.add((io.netty.channel.EventLoop) e));
        for (int i = 0; i < got.size(); i++) {
            io.netty.channel.epoll.EpollDatagramChannel ch = new io.netty.channel.epoll.EpollDatagramChannel(
                    got.get(i).fd().intValue());
            // The socket's buffer sizes and SO_REUSEPORT came with it; this process's own settings do not.
            ch.config()
                    .setMaxDatagramPayloadSize(2048)
                    .setRecvByteBufAllocator(
                            new io.netty.channel.FixedRecvByteBufAllocator(64 * 1024).maxMessagesPerRead(32));
            ch.pipeline().addLast(filters.toArray(ChannelHandler[]::new));
            if (route) {
                ch.pipeline().addLast(new HandoverRouter(i, generation, taken));
            }
            ch.pipeline().addLast(last);
            // One socket per event loop, as bind() gets them (a loop serves a socket's every connection).
            loops.get(i % loops.size()).register(ch).sync();
            resources.push(() -> ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS));
            sockets.add(ch);
        }
    }

    /** The running side of a handover: what this process offers a newer one, and how it lets go. */
    private final class HandoverSource implements SocketHandover.Source {
        private final SocketHandover.Settings settings;

        HandoverSource(SocketHandover.Settings settings) {
            this.settings = settings;
        }

        @Override
        public int generation() {
            return generation;
        }

        @Override
        public List<SocketHandover.Offered> sockets() {
            List<SocketHandover.Offered> out = new ArrayList<>();
            for (int i = 0; i < sockets.size(); i++) {
                out.add(new SocketHandover.Offered(SocketHandover.Kind.QUIC_UDP, name + "-quic-" + i, sockets.get(i)));
            }
            return out;
        }

        @Override
        public void stopReading() throws Exception {
            for (Channel s : sockets) {
                s.eventLoop().submit(() -> s.config().setAutoRead(false)).sync();
            }
            admin.ifPresent(a -> {
                if (adminClosed.compareAndSet(false, true)) {
                    a.close();
                }
            });
            // Listeners without an fd to hand over (the ingress's HTTP/2 on TCP): the newer
            // process binds its own once this one lets go; open connections carry on and drain.
            for (AutoCloseable l : alsoListening) {
                try {
                    l.close();
                } catch (Exception e) {
                    log.warn("{}: closing a listener for the handover failed: {}", name, e.toString());
                }
            }
            Channel upgrade = upgradeListener;
            if (upgrade != null) {
                upgrade.close().sync(); // removes the file: the new process binds its own there
            }
        }

        @Override
        public void resumeReading() {
            if (closing) {
                return;
            }
            for (Channel s : sockets) {
                if (s.isOpen()) {
                    s.eventLoop().execute(() -> s.config().setAutoRead(true));
                }
            }
            log.warn("{}: the process that took the sockets is gone; reading them again", name);
        }

        @Override
        public void inject(int index, io.netty.channel.socket.DatagramPacket packet) {
            if (index >= sockets.size() || !sockets.get(index).isOpen()) {
                packet.release();
                return;
            }
            Channel s = sockets.get(index);
            routedHere.incrementAndGet();
            s.eventLoop().execute(() -> {
                s.pipeline().fireChannelRead(packet);
                s.pipeline().fireChannelReadComplete();
            });
        }

        @Override
        public void handedOver() {
            handedOver = true;
            settings.onHandedOver().run();
        }
    }

    /** Binds one QUIC socket whose pipeline is {@code filters}, then {@code last}. */
    private Channel bind(
            InetSocketAddress address, boolean reusePort, List<ChannelHandler> filters, ChannelHandler last)
            throws InterruptedException {
        IoTransport io = IoTransport.current();
        if (reusePort && !io.reusePort()) {
            throw new IllegalArgumentException(name + ": more than one listener thread needs SO_REUSEPORT, which the "
                    + io.name().toLowerCase(java.util.Locale.ROOT)
                    + " transport lacks here; use --threads 1 (the default off Linux)");
        }
        Bootstrap b = UdpSockets.tune(new Bootstrap()).group(group).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(filters.toArray(ChannelHandler[]::new));
                ch.pipeline().addLast(last);
            }
        });
        if (reusePort) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        Channel socket = b.bind(address).sync().channel();
        resources.push(() -> socket.close().awaitUninterruptibly(2, TimeUnit.SECONDS));
        return socket;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The QUIC listener's bound address. */
    public InetSocketAddress quicAddress() {
        return (InetSocketAddress) sockets.get(0).localAddress();
    }

    /**
     * Open connections per listening QUIC socket, in the order the sockets were bound (one
     * entry per socket, zeros included): how evenly {@code SO_REUSEPORT} spreads the peers.
     */
    public List<Integer> connectionsPerSocket() {
        Map<Channel, Integer> counts = connections.perSocket();
        List<Integer> out = new ArrayList<>();
        for (Channel socket : sockets) {
            out.add(counts.getOrDefault(socket, 0));
        }
        return out;
    }

    /** The admin listener's bound address, if there is one. */
    public Optional<InetSocketAddress> adminAddress() {
        return admin.map(AdminServer::address);
    }

    /** The last config reload's outcome, shown by {@code /healthz}. */
    public ReloadStatus reloads() {
        return reloads;
    }

    /** The metrics in Prometheus text format, as {@code /metrics} serves them. */
    public String scrapeMetrics() {
        return registry.scrape();
    }

    /**
     * GOAWAY on every connection (RFC 9114 §5.2), wait until no tunnel is left or {@code deadline}
     * passed, then close everything.
     */
    public void drainAndClose(Duration deadline) {
        connections.drain(deadline);
        if (handedOver) {
            log.info(
                    "{}: upgrade: the new process routed {} packet(s) here while this one drained",
                    name,
                    routedHere.get());
        }
        close();
    }

    @Override
    public void close() {
        closing = true;
        connections.closeAll();
        closeResources();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private void closeResources() {
        AutoCloseable r;
        while ((r = resources.poll()) != null) {
            try {
                r.close();
            } catch (Exception e) {
                log.error("{}: closing {} failed", name, r, e);
            }
        }
    }

    /** What a relay's server needs; {@link #start()} binds. */
    public static final class Builder {
        private final String name;
        private InetSocketAddress listen = new InetSocketAddress(0);
        private int threads = 1;
        private @Nullable RelayConnections connections;
        private @Nullable PrometheusMeterRegistry registry;
        private Optional<InetSocketAddress> admin = Optional.empty();
        private final Map<String, HttpHandler> routes = new LinkedHashMap<>();
        private @Nullable Pipeline pipeline;
        private SocketHandover.@Nullable Settings handover;

        private Builder(String name) {
            this.name = name;
        }

        public Builder listen(InetSocketAddress listen) {
            this.listen = listen;
            return this;
        }

        /** Event loops, and as many QUIC sockets on the listen address (default 1). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
            }
            this.threads = threads;
            return this;
        }

        /** The connections to drain on shutdown, and the registry {@code /metrics} scrapes. */
        public Builder connections(RelayConnections connections, PrometheusMeterRegistry registry) {
            this.connections = connections;
            this.registry = registry;
            return this;
        }

        public Builder admin(Optional<InetSocketAddress> admin) {
            this.admin = admin;
            return this;
        }

        /** Adds an exact-path route to the admin listener. */
        public Builder adminRoute(String path, HttpHandler handler) {
            routes.put(path, handler);
            return this;
        }

        /**
         * A Unix socket to hand the listening sockets over on, or to take them from
         * (docs/architecture.md §7.1); null for none (the default).
         */
        public Builder handover(SocketHandover.@Nullable Settings handover) {
            this.handover = handover;
            return this;
        }

        public Builder pipeline(Pipeline pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        /**
         * Makes the event loops, builds the pipeline, binds the listeners.
         *
         * @throws Exception if the pipeline cannot be built or a listener cannot be bound;
         *     everything opened so far is closed
         */
        public RelayServer start() throws Exception {
            if (connections == null || pipeline == null) {
                throw new IllegalStateException(name + ": connections and pipeline are required");
            }
            return new RelayServer(this);
        }
    }
}
