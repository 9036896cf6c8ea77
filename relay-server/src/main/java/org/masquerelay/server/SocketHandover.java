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

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.PeerCredentials;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IoTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a running relay's listening sockets to a new relay process over a Unix domain socket, by
 * fd passing ({@code SCM_RIGHTS}), and afterwards carries the packets that the new process routes
 * back to the old one (docs/architecture.md §7.1).
 *
 * <p>The sockets are a list of {@link Kind}-tagged, labelled channels: QUIC's UDP sockets today,
 * a TCP listener tomorrow. Both processes then hold the same sockets (the same open file
 * descriptions): the kernel queues each datagram once and whichever process reads takes it.
 *
 * <p>The conversation, in frames of a 4-byte length, a type byte and a body:
 *
 * <ol>
 *   <li>old → new {@code HELLO}: the protocol version, the old process's connection ID
 *       generation ({@link ConnectionIdGeneration}) and one line per socket: kind, label, address.
 *       The new process checks them against its own config and answers {@code ERROR} if they do
 *       not fit, leaving the old one serving as before.
 *   <li>new → old {@code READY}: the new process reads file descriptors now.
 *   <li>old → new: one file descriptor per socket, in the {@code HELLO}'s order.
 *   <li>new → old {@code TAKEN}: it holds them all, and reads bytes again.
 *   <li>old: stops reading its sockets (it keeps writing on them, so its connections keep their
 *       source address), closes its admin listener and this Unix socket, then {@code STOPPED}
 *       and starts draining.
 *   <li>new → old {@code PACKET}, from then on: a datagram the new process read for one of the
 *       old process's connections, with the socket's index and the sender's address. The old
 *       process fires it into that socket's pipeline as if it had read it itself.
 * </ol>
 *
 * <p>Only a process of the same user (or root) may connect: the peer's credentials are checked,
 * and the socket file is made mode 0600.
 */
public final class SocketHandover {
    private static final Logger log = LoggerFactory.getLogger(SocketHandover.class);

    static final String VERSION = "masque-handover 1";
    private static final byte HELLO = 1;
    private static final byte READY = 2;
    private static final byte TAKEN = 3;
    private static final byte STOPPED = 4;
    private static final byte PACKET = 5;
    private static final byte ERROR = 6;
    /** A datagram of up to 64 KiB, its address and the frame's own header. */
    private static final int MAX_FRAME = 65_536 + 64;
    /** Longest path a {@code sockaddr_un} holds, without its terminating NUL (Linux: 108 bytes). */
    static final int MAX_PATH_BYTES = 107;

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(15);

    private SocketHandover() {}

    /** What kind of listening socket is handed over; the new process wraps each by its kind. */
    public enum Kind {
        /** A QUIC listener's UDP socket. */
        QUIC_UDP;

        String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Kind ofWire(String s) {
            for (Kind k : values()) {
                if (k.wire().equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown socket kind '" + s + "'");
        }
    }

    /** A socket the running process offers: {@code channel} must be a {@link UnixChannel}. */
    public record Offered(Kind kind, String label, Channel channel) {}

    /** A socket the new process received: what the old one said about it, and the descriptor. */
    public record Received(Kind kind, String label, String address, FileDescriptor fd) {}

    /** A socket as the running process describes it before it sends the descriptor. */
    public record Described(Kind kind, String label, String address) {}

    /** The running process's greeting: its connection ID generation and its sockets, fds to follow. */
    public record Hello(int generation, List<Described> sockets) {}

    /**
     * Where the Unix socket lives and what to do with it.
     *
     * @param socket the Unix socket's path
     * @param takeOver true to take the sockets from the relay listening on {@code socket} instead
     *     of binding them (it then listens there itself, for the next upgrade)
     * @param onHandedOver run once this process handed its sockets to a new one: start the drain
     */
    public record Settings(Path socket, boolean takeOver, Runnable onHandedOver) {
        public Settings {
            check(socket);
        }
    }

    /**
     * Refuses, in plain words, what cannot work: a transport other than epoll, a path too long
     * for a Unix socket, a directory that does not exist.
     */
    public static void check(Path socket) {
        IoTransport io = IoTransport.current();
        if (io != IoTransport.EPOLL) {
            throw new IllegalArgumentException(
                    "the upgrade socket needs the epoll transport (Linux), and this relay runs on "
                            + io.name().toLowerCase(Locale.ROOT)
                            + ": fd passing over a Unix socket is epoll-only in Netty");
        }
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("upgrade socket " + socket + ": the path is " + bytes
                    + " bytes long, and a Unix socket's path holds at most " + MAX_PATH_BYTES);
        }
        Path dir = socket.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "upgrade socket " + socket + ": directory " + dir + " does not exist (create it, mode 0700)");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !isSocket(socket)) {
            throw new IllegalArgumentException(
                    "upgrade socket " + socket + ": the path exists and is not a Unix socket; refusing to replace it");
        }
    }

    private static boolean isSocket(Path p) {
        try {
            // st_mode's file type bits: 0140000 is a socket (inode(7)).
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- the running (old) process

    /** The running process's side: what it offers, and how it stops, drains and takes packets back. */
    public interface Source {
        /** The generation this process writes into its connection IDs. */
        int generation();

        /** The listening sockets, in the order the new process will index them. */
        List<Offered> sockets();

        /** Stops reading the sockets (keeps writing) and closes what cannot be handed over. */
        void stopReading() throws Exception;

        /** The new process went away after it took the sockets: read them again. */
        void resumeReading();

        /** A datagram the new process routed back, for socket {@code index}; owns {@code packet}. */
        void inject(int index, DatagramPacket packet);

        /** The sockets are handed over: drain. */
        void handedOver();
    }

    /**
     * Listens on {@code path} for one new process (same user or root) to take {@code source}'s
     * sockets. A stale socket file (nobody listening) is replaced; a live one is refused.
     *
     * @return the listening channel; closing it removes the file
     */
    public static Channel listen(Path path, EventLoopGroup group, String name, Source source) throws IOException {
        check(path);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (answers(path, group)) {
                throw new IOException("upgrade socket " + path + ": another relay listens there; take over from it with"
                        + " --upgrade, or give this one its own --upgrade-socket");
            }
            Files.delete(path); // stale: left by a process that died
        }
        AtomicBoolean busy = new AtomicBoolean();
        Channel server;
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                        @Override
                        protected void initChannel(EpollDomainSocketChannel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4),
                                            new LengthFieldPrepender(4),
                                            new Giver(name, source, busy));
                        }
                    })
                    .bind(new DomainSocketAddress(path.toFile()))
                    .sync()
                    .channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + path, e);
        }
        // bind(2) makes the file with the umask's mode; narrow it at once.
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        log.info("{}: upgrade socket {} (mode 0600)", name, path);
        return server;
    }

    /** Whether a process accepts connections on {@code path}. */
    private static boolean answers(Path path, EventLoopGroup group) {
        try {
            Channel probe = new Bootstrap()
                    .group(group)
                    .channel(EpollDomainSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(new DomainSocketAddress(path.toFile()))
                    .awaitUninterruptibly()
                    .channel();
            boolean up = probe.isActive();
            probe.close().awaitUninterruptibly();
            return up;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** This process's user id, from the owner of {@code /proc/self}. */
    private static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** The old process's end of one handover connection. */
    private static final class Giver extends ChannelInboundHandlerAdapter {
        private final String name;
        private final Source source;
        private final AtomicBoolean busy;
        private boolean mine;
        private volatile boolean handedOver;
        private final AtomicLong injected = new AtomicLong();
        private @Nullable List<Offered> offered;

        Giver(String name, Source source, AtomicBoolean busy) {
            this.name = name;
            this.source = source;
            this.busy = busy;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.fireChannelActive();
            EpollDomainSocketChannel ch = (EpollDomainSocketChannel) ctx.channel();
            PeerCredentials peer = ch.peerCredentials();
            int own = ownUid();
            if (peer.uid() != own && peer.uid() != 0) {
                log.warn(
                        "{}: upgrade socket: refused a process of uid {} (expected {} or root)", name, peer.uid(), own);
                error(ctx, "uid " + peer.uid() + " may not take this relay's sockets");
                return;
            }
            if (!busy.compareAndSet(false, true)) {
                error(ctx, "another process is taking this relay's sockets right now");
                return;
            }
            mine = true;
            List<Offered> sockets = List.copyOf(source.sockets());
            offered = sockets;
            StringBuilder hello = new StringBuilder(VERSION)
                    .append("\ngeneration ")
                    .append(source.generation())
                    .append('\n');
            for (Offered o : sockets) {
                hello.append("socket ")
                        .append(o.kind().wire())
                        .append(' ')
                        .append(o.label())
                        .append(' ')
                        .append(address(o.channel().localAddress()))
                        .append('\n');
            }
            log.info("{}: upgrade: process {} connected; offering {} socket(s)", name, peer.pid(), sockets.size());
            send(ctx, HELLO, hello.toString());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (!mine || frame.readableBytes() < 1) {
                    return;
                }
                byte type = frame.readByte();
                switch (type) {
                    case READY -> {
                        for (Offered o : java.util.Objects.requireNonNull(offered)) {
                            int fd = ((UnixChannel) o.channel()).fd().intValue();
                            ctx.write(new FileDescriptor(fd));
                        }
                        ctx.flush();
                    }
                    case TAKEN -> {
                        // Off the event loop: stopping waits on the sockets' own loops.
                        Thread t = new Thread(() -> stop(ctx), name + "-handover");
                        t.setDaemon(true);
                        t.start();
                    }
                    case PACKET -> {
                        int index = frame.readUnsignedByte();
                        InetSocketAddress sender = readAddress(frame);
                        ByteBuf payload = frame.retainedSlice();
                        injected.incrementAndGet();
                        source.inject(index, new DatagramPacket(payload, localOf(index), sender));
                    }
                    case ERROR -> {
                        log.error(
                                "{}: upgrade refused by the new process, still serving: {}",
                                name,
                                frame.toString(StandardCharsets.UTF_8));
                        ctx.close();
                    }
                    default -> log.warn("{}: upgrade socket: unknown frame type {}", name, type);
                }
            } catch (RuntimeException e) {
                log.warn("{}: upgrade socket: bad frame: {}", name, e.toString());
            } finally {
                frame.release();
            }
        }

        private InetSocketAddress localOf(int index) {
            List<Offered> o = java.util.Objects.requireNonNull(offered);
            return (InetSocketAddress) o.get(index).channel().localAddress();
        }

        private void stop(ChannelHandlerContext ctx) {
            try {
                long t0 = System.nanoTime();
                source.stopReading();
                handedOver = true;
                send(ctx, STOPPED, "");
                log.info(
                        "{}: upgrade: handed {} socket(s) over in {} ms; draining",
                        name,
                        java.util.Objects.requireNonNull(offered).size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                source.handedOver();
            } catch (Exception e) {
                log.error("{}: upgrade: could not stop reading, still serving", name, e);
                source.resumeReading();
                error(ctx, "the running relay could not stop reading: " + e);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (mine) {
                busy.set(false);
                if (handedOver) {
                    log.info(
                            "{}: upgrade: the new process closed the handover connection; it routed {} packet(s) here",
                            name,
                            injected.get());
                    // Nobody else reads the sockets now; this process still owns connections.
                    source.resumeReading();
                }
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{}: upgrade socket: {}", name, cause.toString());
            ctx.close();
        }
    }

    // ---------------------------------------------------------------- the new process

    /** What the new process took: the old generation, the sockets, and the route back. */
    public static final class Taken implements AutoCloseable {
        private final int generation;
        private final List<Received> sockets;
        private final Channel control;
        private final AtomicBoolean alive = new AtomicBoolean(true);
        private final AtomicLong forwarded = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();
        private final long tookNanos;

        private Taken(int generation, List<Received> sockets, Channel control, long tookNanos) {
            this.generation = generation;
            this.sockets = sockets;
            this.control = control;
            this.tookNanos = tookNanos;
        }

        /** The old process's connection ID generation. */
        public int generation() {
            return generation;
        }

        public List<Received> sockets() {
            return sockets;
        }

        /** How long the handover took, from connecting to {@code STOPPED}. */
        public Duration took() {
            return Duration.ofNanos(tookNanos);
        }

        /** True while the old process is there to take packets. */
        boolean alive() {
            return alive.get();
        }

        /** Packets routed to the old process so far. */
        public long forwarded() {
            return forwarded.get();
        }

        /** Packets for the old process dropped because the Unix socket was full. */
        public long dropped() {
            return dropped.get();
        }

        /**
         * Routes a datagram read on socket {@code index} to the old process; takes ownership of
         * {@code packet}. Call {@link #flush} at the end of a read burst.
         */
        void forward(int index, DatagramPacket packet) {
            try {
                if (!control.isWritable()) {
                    dropped.incrementAndGet();
                    return;
                }
                ByteBuf content = packet.content();
                InetSocketAddress sender = packet.sender();
                ByteBuf frame = control.alloc().buffer(2 + 19 + content.readableBytes());
                frame.writeByte(PACKET).writeByte(index);
                writeAddress(frame, sender);
                frame.writeBytes(content, content.readerIndex(), content.readableBytes());
                control.write(frame, control.voidPromise());
                forwarded.incrementAndGet();
            } finally {
                packet.release();
            }
        }

        void flush() {
            control.flush();
        }

        /** Called when the control connection ends: the old process exited. */
        void lost() {
            if (alive.compareAndSet(true, false)) {
                log.info(
                        "upgrade: the previous process is gone; {} packet(s) were routed to it, {} dropped",
                        forwarded.get(),
                        dropped.get());
            }
        }

        @Override
        public void close() {
            control.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** Collects the handshake's frames and descriptors; afterwards watches for the end. */
    private static final class Taker extends ChannelInboundHandlerAdapter {
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        volatile @Nullable Taken taken;
        static final Object CLOSED = new Object();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Taken t = taken;
            if (t == null) {
                inbox.add(msg);
                return;
            }
            ReferenceCountUtil.release(msg); // nothing more is expected from the old process
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Taken t = taken;
            if (t != null) {
                t.lost();
            }
            inbox.add(CLOSED);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("upgrade socket: {}", cause.toString());
            ctx.close();
        }

        Object next(String waitingFor) throws IOException, InterruptedException {
            Object o = inbox.poll(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (o == null) {
                throw new IOException("upgrade: the running relay did not send " + waitingFor + " within "
                        + STEP_TIMEOUT.toSeconds() + " s");
            }
            if (o == CLOSED) {
                throw new IOException("upgrade: the running relay closed the connection before " + waitingFor);
            }
            return o;
        }

        ByteBuf frame(byte type, String waitingFor) throws IOException, InterruptedException {
            Object o = next(waitingFor);
            if (!(o instanceof ByteBuf b)) {
                ReferenceCountUtil.release(o);
                throw new IOException("upgrade: expected " + waitingFor + ", got " + o);
            }
            byte got = b.readByte();
            if (got == ERROR) {
                String why = b.toString(StandardCharsets.UTF_8);
                b.release();
                throw new IOException("upgrade: the running relay refused: " + why);
            }
            if (got != type) {
                b.release();
                throw new IOException("upgrade: expected " + waitingFor + ", got frame type " + got);
            }
            return b;
        }
    }

    /** Checks the running relay's sockets against this process's config before it takes them. */
    @FunctionalInterface
    public interface Check {
        /** Throws {@link IllegalArgumentException}, in plain words, when they do not fit. */
        void accept(Hello hello);
    }

    /**
     * Takes the sockets of the relay listening on {@code path}. When {@code check} refuses them,
     * the running relay is told why and carries on as before.
     *
     * @throws IOException with a plain message when nobody listens, the relay refuses or a step
     *     times out
     */
    public static Taken take(Path path, EventLoopGroup group, Check check) throws IOException, InterruptedException {
        check(path);
        long t0 = System.nanoTime();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("upgrade: no relay listens on " + path + " (no such file): start the running relay"
                    + " with --upgrade-socket " + path + ", or start this one without --upgrade");
        }
        Taker taker = new Taker();
        io.netty.channel.ChannelFuture connect = new Bootstrap()
                .group(group)
                .channel(EpollDomainSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4),
                                        new LengthFieldPrepender(4),
                                        taker);
                    }
                })
                .connect(new DomainSocketAddress(path.toFile()))
                .await();
        if (!connect.isSuccess()) {
            Throwable c = connect.cause();
            throw new IOException(
                    "upgrade: no relay answers on " + path + " ("
                            + (c == null ? "connect failed" : c.getMessage()) + "): is the running relay started with"
                            + " --upgrade-socket " + path + "?",
                    c);
        }
        EpollDomainSocketChannel ch = (EpollDomainSocketChannel) connect.channel();
        try {
            ByteBuf h = taker.frame(HELLO, "its sockets (HELLO)");
            Hello hello;
            try {
                hello = parseHello(h.toString(StandardCharsets.UTF_8));
            } finally {
                h.release();
            }
            try {
                check.accept(hello);
            } catch (IllegalArgumentException e) {
                sendAndWait(ch, ERROR, String.valueOf(e.getMessage()));
                throw e;
            }
            ch.config().setReadMode(DomainSocketReadMode.FILE_DESCRIPTORS);
            sendAndWait(ch, READY, "");
            List<Received> got = new ArrayList<>();
            for (Described r : hello.sockets()) {
                Object o = taker.next("socket " + r.label());
                if (!(o instanceof FileDescriptor fd)) {
                    ReferenceCountUtil.release(o);
                    throw new IOException("upgrade: expected the descriptor of " + r.label() + ", got " + o);
                }
                got.add(new Received(r.kind(), r.label(), r.address(), fd));
            }
            ch.config().setReadMode(DomainSocketReadMode.BYTES);
            sendAndWait(ch, TAKEN, "");
            taker.frame(STOPPED, "that it stopped reading (STOPPED)").release();
            Taken taken = new Taken(hello.generation(), List.copyOf(got), ch, System.nanoTime() - t0);
            taker.taken = taken;
            if (!ch.isActive()) {
                taken.lost();
            }
            return taken;
        } catch (IOException | RuntimeException | InterruptedException e) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            throw e;
        }
    }

    static Hello parseHello(String text) throws IOException {
        String[] lines = text.split("\n");
        if (lines.length < 2 || !lines[0].equals(VERSION)) {
            throw new IOException("upgrade: the running relay speaks '" + lines[0] + "', this one '" + VERSION
                    + "': upgrade between versions that share the handover protocol");
        }
        int generation = -1;
        List<Described> sockets = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            if (f[0].equals("generation") && f.length == 2) {
                generation = Integer.parseInt(f[1]);
            } else if (f[0].equals("socket") && f.length == 4) {
                sockets.add(new Described(Kind.ofWire(f[1]), f[2], f[3]));
            } else {
                throw new IOException("upgrade: a line the handover protocol does not know: " + lines[i]);
            }
        }
        if (generation < 0) {
            throw new IOException("upgrade: the running relay did not say its connection ID generation");
        }
        return new Hello(generation, List.copyOf(sockets));
    }

    // ---------------------------------------------------------------- wire helpers

    private static void send(ChannelHandlerContext ctx, byte type, String body) {
        ByteBuf b = ctx.alloc().buffer();
        b.writeByte(type).writeCharSequence(body, StandardCharsets.UTF_8);
        ctx.writeAndFlush(b);
    }

    private static void error(ChannelHandlerContext ctx, String why) {
        ByteBuf b = ctx.alloc().buffer();
        b.writeByte(ERROR).writeCharSequence(why, StandardCharsets.UTF_8);
        ctx.writeAndFlush(b).addListener(f -> ctx.close());
    }

    private static void sendAndWait(Channel ch, byte type, String body) throws IOException {
        ByteBuf b = ch.alloc().buffer();
        b.writeByte(type).writeCharSequence(body, StandardCharsets.UTF_8);
        io.netty.channel.ChannelFuture f = ch.writeAndFlush(b).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("upgrade: writing to the running relay failed: " + f.cause(), f.cause());
        }
    }

    private static String address(java.net.SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + "/" + i.getPort();
        }
        return String.valueOf(a).replace(' ', '_');
    }

    private static void writeAddress(ByteBuf b, InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        b.writeByte(ip.length).writeBytes(ip).writeShort(a.getPort());
    }

    private static InetSocketAddress readAddress(ByteBuf b) {
        byte[] ip = new byte[b.readUnsignedByte()];
        b.readBytes(ip);
        int port = b.readUnsignedShort();
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("bad address of " + ip.length + " bytes", e);
        }
    }
}
