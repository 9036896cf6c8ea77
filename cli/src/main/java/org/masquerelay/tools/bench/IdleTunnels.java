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
package org.masquerelay.tools.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.config.IoTransport;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.masquerelay.tools.origin.UdpEchoServer;

/**
 * Heap per idle tunnel (the performance issue's memory target): both relays run as child
 * processes ({@code masque ingress} and {@code masque egress}, one event loop each), so their heaps
 * hold nothing of the client. Then:
 *
 * <ul>
 *   <li><b>ingress:</b> {@code count} connect-udp tunnels toward the egress, opened by a bare
 *       HTTP/3 client on a few outer connections (the tunnels' requests only; no inner QUIC);
 *   <li><b>egress:</b> {@code count} connect-udp flows toward a UDP echo target, opened by one
 *       two-hop client on its inner connection.
 * </ul>
 *
 * <p>Each relay's heap is read after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info})
 * before and after, and the difference divided by {@code count}; so is the resident set size,
 * which also covers native memory: quiche keeps each connection's and stream's state outside the
 * Java heap, and every tunnel has a kernel socket. Every tunnel holds its QUIC
 * stream, its handlers and a connected UDP socket; none sends a datagram.
 */
public final class IdleTunnels {
    /** Tunnels per outer connection at the ingress: the relay's per-connection limit in this run. */
    static final int PER_CONNECTION = 1000;

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /** What one relay holds per idle tunnel. */
    public record Result(
            String relay,
            int tunnels,
            long heapBeforeBytes,
            long heapAfterBytes,
            long rssBeforeBytes,
            long rssAfterBytes) {
        public double bytesPerTunnel() {
            return (heapAfterBytes - heapBeforeBytes) / (double) tunnels;
        }

        /** Resident memory per tunnel: the heap's growth plus native memory (quiche, sockets). */
        public double rssPerTunnel() {
            return (rssAfterBytes - rssBeforeBytes) / (double) tunnels;
        }
    }

    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private IdleTunnels() {}

    /**
     * Runs the measurement in {@code dir} (a deployment written by {@code LoopbackDeployment},
     * without tokens or geo), with relays listening where its configs say.
     *
     * @param ingressAddress the ingress's QUIC address from the config
     * @param egressAddress the egress's QUIC address from the config
     */
    public static List<Result> run(
            Path dir, InetSocketAddress ingressAddress, InetSocketAddress egressAddress, int count, PrintStream log)
            throws Exception {
        raiseLimits(dir, count);
        List<Result> results = new ArrayList<>();
        try (Child egress = Child.start(dir, "egress", egressAddress.getPort());
                Child ingress = Child.start(dir, "ingress", ingressAddress.getPort())) {
            long before = ingress.heapAfterGc();
            long rssBefore = ingress.rss();
            try (BareTunnels tunnels = new BareTunnels(ingressAddress)) {
                tunnels.open(egressAddress, count, log);
                results.add(new Result("ingress", count, before, ingress.heapAfterGc(), rssBefore, ingress.rss()));
            }
            ClientConfig client = ClientConfig.load(dir.resolve("client.yaml"));
            try (UdpEchoServer echo = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0));
                    MasqueClient c = new MasqueClient(client, false, null)) {
                c.connect().get(15, TimeUnit.SECONDS);
                long egressBefore = egress.heapAfterGc();
                long egressRssBefore = egress.rss();
                List<CompletableFuture<DatagramTunnelHandler>> flows = new ArrayList<>();
                DatagramTunnelHandler.Local discard = new DatagramTunnelHandler.Local() {
                    @Override
                    public void fromPeer(ByteBuf payload) {
                        payload.release();
                    }

                    @Override
                    public void closed() {}
                };
                for (int i = 0; i < count; i++) {
                    flows.add(c.openUdp("127.0.0.1", echo.localAddress().getPort(), discard));
                    if (flows.size() % 500 == 0) {
                        CompletableFuture.allOf(flows.toArray(CompletableFuture[]::new))
                                .get(60, TimeUnit.SECONDS);
                    }
                }
                CompletableFuture.allOf(flows.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                log.printf(Locale.ROOT, "egress: %d idle connect-udp flows open%n", count);
                results.add(
                        new Result("egress", count, egressBefore, egress.heapAfterGc(), egressRssBefore, egress.rss()));
            }
        }
        return results;
    }

    /** Lets one connection hold every tunnel of the run, and keeps idle ones open meanwhile. */
    private static void raiseLimits(Path dir, int count) throws IOException {
        Path ingress = dir.resolve("ingress.yaml");
        String in = Files.readString(ingress)
                .replace("max-tunnels-per-connection: 16", "max-tunnels-per-connection: " + PER_CONNECTION)
                .replace("max-tunnels: 10000", "max-tunnels: " + Math.max(10_000, count + 10))
                .replace("tunnel-idle-timeout: PT2M", "tunnel-idle-timeout: PT30M");
        Files.writeString(ingress, in);
        Path egress = dir.resolve("egress.yaml");
        String eg = Files.readString(egress)
                .replace(
                        "udp-idle-timeout: PT2M",
                        "udp-idle-timeout: PT30M\n  max-flows-per-connection: " + Math.max(256, count + 10)
                                + "\n  max-flows: " + Math.max(20_000, count + 10));
        Files.writeString(egress, eg);
    }

    /**
     * A relay in a JVM of its own, from this JVM's class path, with one event loop and without
     * Netty's leak detection (as in production).
     */
    public static final class Child implements AutoCloseable {
        private final Process process;

        private Child(Process process) {
            this.process = process;
        }

        public static Child start(Path dir, String role, int port) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(
                            java,
                            "-Dio.netty.leakDetection.level=disabled",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "org.masquerelay.cli.MasqueCli",
                            role,
                            "--config",
                            dir.resolve(role + ".yaml").toString(),
                            "--threads",
                            "1")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve(role + ".log").toFile())
                    .start();
            Child child = new Child(p);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // Ready once its log says it listens.
            while (!Files.readString(dir.resolve(role + ".log")).contains("listening on")) {
                if (!p.isAlive() || System.nanoTime() > end) {
                    child.close();
                    throw new IOException(role + " did not start: " + Files.readString(dir.resolve(role + ".log")));
                }
                Thread.sleep(50);
            }
            return child;
        }

        /** Bytes of heap in use after a full GC. */
        long heapAfterGc() throws Exception {
            jcmd("GC.run");
            Thread.sleep(200);
            jcmd("GC.run");
            String info = jcmd("GC.heap_info");
            Matcher m = USED.matcher(info);
            if (!m.find()) {
                throw new IOException("cannot read the heap from jcmd GC.heap_info: " + info);
            }
            return Long.parseLong(m.group(1)) * 1024;
        }

        /**
         * CPU seconds the process has used, user and system, from {@code /proc/PID/stat} (fields
         * 14 and 15, in clock ticks of 1/100 s on Linux).
         */
        public double cpuSeconds() throws IOException {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        }

        /** Resident set size, from {@code /proc/PID/status}. */
        long rss() throws IOException {
            Matcher m = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(process.pid()), "status")));
            if (!m.find()) {
                throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
            }
            return Long.parseLong(m.group(1)) * 1024;
        }

        private String jcmd(String command) throws Exception {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java"))
                    .resolveSibling("jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("jcmd " + command + " failed: " + out);
            }
            return out;
        }

        /** Whether the process is still running. */
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Outer connections to the ingress that open connect-udp tunnels and nothing else. */
    private static final class BareTunnels implements AutoCloseable {
        private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("masque-client"),
                IoTransport.current().handlerFactory());
        private final InetSocketAddress ingress;
        private final List<Channel> sockets = new ArrayList<>();
        private final List<QuicChannel> connections = new ArrayList<>();

        BareTunnels(InetSocketAddress ingress) {
            this.ingress = ingress;
        }

        void open(InetSocketAddress egress, int count, PrintStream log) throws Exception {
            QuicSslContext tls = QuicSslContextBuilder.forClient()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE) // the bench's own relay on loopback
                    .applicationProtocols(Http3.supportedApplicationProtocols())
                    .build();
            String path = UdpProxyTemplate.defaultTemplate()
                    .expandPath(egress.getAddress().getHostAddress(), egress.getPort());
            for (int opened = 0; opened < count; ) {
                QuicChannel connection = connect(tls);
                int here = Math.min(PER_CONNECTION, count - opened);
                List<CompletableFuture<Void>> ok = new ArrayList<>();
                for (int i = 0; i < here; i++) {
                    ok.add(tunnel(connection, path));
                }
                CompletableFuture.allOf(ok.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                opened += here;
            }
            log.printf(
                    Locale.ROOT,
                    "ingress: %d idle connect-udp tunnels open on %d connections%n",
                    count,
                    connections.size());
        }

        private QuicChannel connect(QuicSslContext tls) throws Exception {
            Channel socket = IoTransport.current()
                    .udp(new Bootstrap())
                    .group(group)
                    .handler(Http3.newQuicClientCodecBuilder()
                            .sslContext(tls)
                            .maxIdleTimeout(30, TimeUnit.MINUTES)
                            .initialMaxData(16L << 20)
                            .initialMaxStreamDataBidirectionalLocal(64 << 10)
                            .initialMaxStreamDataBidirectionalRemote(64 << 10)
                            .initialMaxStreamsUnidirectional(8)
                            .datagram(1024, 1024)
                            .build())
                    .bind(new InetSocketAddress(ingress.getAddress(), 0))
                    .sync()
                    .channel();
            sockets.add(socket);
            QuicChannel connection = QuicChannel.newBootstrap(socket)
                    .handler(new Http3ClientConnectionHandler())
                    .remoteAddress(ingress)
                    .connect()
                    .get(10, TimeUnit.SECONDS);
            connections.add(connection);
            // The first request waits for the server's SETTINGS (extended CONNECT, RFC 9220 §3).
            Thread.sleep(200);
            return connection;
        }

        private static CompletableFuture<Void> tunnel(QuicChannel connection, String path) {
            CompletableFuture<Void> ok = new CompletableFuture<>();
            Http3Headers h = new DefaultHttp3Headers()
                    .method("CONNECT")
                    .protocol("connect-udp")
                    .scheme("https")
                    .authority("ingress")
                    .path(path);
            h.set("capsule-protocol", "?1");
            Http3.newRequestStream(connection, new Http3RequestStreamInboundHandler() {
                        @Override
                        protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
                            CharSequence status = frame.headers().status();
                            if (status != null && status.toString().startsWith("2")) {
                                ok.complete(null);
                            } else {
                                ok.completeExceptionally(new IOException("tunnel refused: " + frame.headers()));
                            }
                        }

                        @Override
                        protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
                            ReferenceCountUtil.release(frame);
                        }

                        @Override
                        protected void channelInputClosed(ChannelHandlerContext ctx) {
                            ok.completeExceptionally(new IOException("tunnel closed before its 2xx"));
                        }
                    })
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            ok.completeExceptionally(f.cause());
                            return;
                        }
                        ((Channel) f.getNow()).writeAndFlush(new DefaultHttp3HeadersFrame(h));
                    });
            return ok;
        }

        @Override
        public void close() {
            for (QuicChannel c : connections) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            for (Channel s : sockets) {
                s.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
