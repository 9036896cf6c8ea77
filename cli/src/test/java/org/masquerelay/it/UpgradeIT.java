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
package org.masquerelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.LocalForwarder;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.server.RelayServer;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * {@code masque ingress --upgrade} against real relay processes: a new ingress takes the running
 * one's listening socket over a Unix socket while a long transfer runs through both hops. The
 * old process drains and exits; the transfer, whose packets the new process routes back to the
 * old one by connection ID, finishes byte-exact; a new fetch is served by the new process.
 */
class UpgradeIT {
    static final InetAddress CLIENT = LoopbackRelays.addr("127.0.0.6");
    static final InetAddress TARGET = LoopbackRelays.addr("127.0.0.97");
    /** Long enough that the transfer spans the upgrade at the reader's pace. */
    static final long BODY = 24L << 20;
    /** The reader's pace: the transfer lasts about 12 s. */
    static final long BYTES_PER_SECOND = 2L << 20;

    @TempDir
    Path dir;

    HttpOrigin origin;
    MasqueClient client;
    final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress(TARGET, 0));
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of("127.0.0.3"));
        Path ingressYaml = dir.resolve("ingress.yaml");
        // The old process drains until the transfer ends; the deadline only bounds a stuck one.
        Files.writeString(
                ingressYaml, Files.readString(ingressYaml).replace("drain-timeout: PT10S", "drain-timeout: PT25S"));
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        for (AutoCloseable c : new AutoCloseable[] {client, origin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @ParameterizedTest(name = "--threads {0}")
    @ValueSource(ints = {1, 2})
    void anUpgradeUnderALiveTransferLosesNothing(int threads) throws Exception {
        Process old = startRelays(threads);
        if (threads == 1) {
            // Sockets that do not fit are refused before the running ingress lets go of them.
            Process misfit = start(
                    "ingress",
                    "ingress-misfit.log",
                    "--config",
                    dir.resolve("ingress.yaml").toString(),
                    "--threads",
                    "2",
                    "--upgrade-socket",
                    socket().toString(),
                    "--upgrade");
            assertThat(misfit.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(misfit.exitValue()).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("ingress-misfit.log")))
                    .contains("error: the running ingress has 1 QUIC socket(s) and this one would have 2;"
                            + " start this one with --threads 1");
            assertThat(status(healthz())).as("the running ingress still serves").isEqualTo(200);
            assertThat(old.isAlive()).isTrue();
        }
        AtomicLong read = new AtomicLong();
        CompletableFuture<Void> resume = new CompletableFuture<>();
        try (LocalForwarder fwd = forwarder()) {
            CompletableFuture<String> transfer = transferUnderWay(fwd, read, resume);
            long upgradeAt = System.nanoTime();
            Process next = upgrade(threads, List.of());
            awaitHandover();
            long readAtUpgrade = read.get();
            resume.complete(null); // the other 7/8 of the body cross the upgraded ingress
            assertThat(old.waitFor(90, TimeUnit.SECONDS))
                    .as("the old ingress exits once drained: %s", Files.readString(dir.resolve("ingress-old.log")))
                    .isTrue();
            double oldGone = (System.nanoTime() - upgradeAt) / 1e9;
            assertThat(old.exitValue()).isZero();
            assertThat(next.isAlive())
                    .as("the new ingress: %s", Files.readString(dir.resolve("ingress-new.log")))
                    .isTrue();

            String sha = transfer.get(60, TimeUnit.SECONDS);
            assertThat(sha).isEqualTo(HexFormat.of().formatHex(HttpOrigin.patternSha256(BODY)));
            assertThat(readAtUpgrade).as("the upgrade came in the middle").isLessThan(BODY / 2);

            String oldLog = Files.readString(dir.resolve("ingress-old.log"));
            String newLog = Files.readString(dir.resolve("ingress-new.log"));
            long routed = number(oldLog, "the new process routed (\\d+) packet\\(s\\) here");
            long handoverMs = number(oldLog, "handed \\d+ socket\\(s\\) over in (\\d+) ms");
            long takeMs = number(newLog, "from the running relay \\(generation \\d+\\) in (\\d+) ms");
            System.err.printf(
                    "upgrade (--threads %d): %.1f MiB of %.0f read when it began; %d packets routed to the old"
                            + " process; handover %d ms (the new process's view, connect to STOPPED: %d ms);"
                            + " the old process exited %.1f s after the new one started%n",
                    threads, readAtUpgrade / 1048576.0, BODY / 1048576.0, routed, handoverMs, takeMs, oldGone);
            assertThat(routed)
                    .as("the old connection's packets went through the new process")
                    .isPositive();
        }

        // The old process is gone: a new fetch can only be served by the new one.
        LoopbackRelays.await(this::fetchQuietly, "a fetch through the new ingress");
        assertThat(fetch(100_000)).isEqualTo(100_000);
        assertThat(status(healthz())).as("the new process's admin listener").isEqualTo(200);
    }

    /**
     * The same upgrade with the routing switched off: both processes hold the socket, only the new
     * one reads it, and the old connection's packets die in the new process's codec. The transfer
     * breaks, which is what the routing above prevents.
     */
    @Test
    void withoutTheRoutingTheOldProcessesConnectionsBreak() throws Exception {
        startRelays(1);
        AtomicLong read = new AtomicLong();
        CompletableFuture<Void> resume = new CompletableFuture<>();
        try (LocalForwarder fwd = forwarder()) {
            CompletableFuture<String> transfer = transferUnderWay(fwd, read, resume);
            upgrade(1, List.of("-D" + RelayServer.ROUTING_PROPERTY + "=false"));
            awaitHandover();
            resume.complete(null);
            assertThatThrownBy(() -> transfer.get(90, TimeUnit.SECONDS))
                    .as("the transfer cannot survive without the routing")
                    .hasMessageContaining("the transfer failed");
            System.err.printf(
                    "upgrade without routing: the transfer broke after %.1f MiB of %.0f%n",
                    read.get() / 1048576.0, BODY / 1048576.0);
        }
    }

    /** An egress and the old ingress (with an upgrade socket) as child processes, healthy. */
    private Process startRelays(int threads) throws Exception {
        Process egress = start(
                "egress", "egress.log", "--config", dir.resolve("egress.yaml").toString());
        InetSocketAddress egressAdmin = org.masquerelay.egress.config.EgressConfig.load(dir.resolve("egress.yaml"))
                .admin()
                .listenAddress();
        awaitHealthy(
                URI.create("http://" + egressAdmin.getHostString() + ":" + egressAdmin.getPort() + "/healthz"),
                egress,
                dir.resolve("egress.log"));
        Process old = start(
                "ingress",
                "ingress-old.log",
                "--config",
                dir.resolve("ingress.yaml").toString(),
                "--threads",
                String.valueOf(threads),
                "--upgrade-socket",
                socket().toString());
        awaitHealthy(healthz(), old, dir.resolve("ingress-old.log"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())))
                .isEqualTo("rw-------");
        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        return old;
    }

    private Process upgrade(int threads, List<String> jvm) throws java.io.IOException {
        return start(
                jvm,
                "ingress",
                "ingress-new.log",
                "--config",
                dir.resolve("ingress.yaml").toString(),
                "--threads",
                String.valueOf(threads),
                "--upgrade-socket",
                socket().toString(),
                "--upgrade");
    }

    private LocalForwarder forwarder() {
        return new LocalForwarder(
                client,
                new InetSocketAddress(CLIENT, 0),
                TARGET.getHostAddress(),
                origin.localAddress().getPort());
    }

    /** Until the old ingress says it handed its sockets over. */
    private void awaitHandover() throws Exception {
        Path log = dir.resolve("ingress-old.log");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(log).contains("over in")) {
            assertThat(System.nanoTime())
                    .as("the handover within 90 s: %s", Files.readString(dir.resolve("ingress-new.log")))
                    .isLessThan(end);
            Thread.sleep(50);
        }
    }

    /**
     * The slow GET, once an eighth of it went through both hops; it then waits for {@code resume},
     * with the tunnel open and the rest of the body queued behind the flow-control windows.
     */
    private static CompletableFuture<String> transferUnderWay(
            LocalForwarder fwd, AtomicLong read, CompletableFuture<Void> resume) throws Exception {
        CompletableFuture<String> transfer =
                CompletableFuture.supplyAsync(() -> slowGet(fwd.localAddress(), read, resume));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read.get() < BODY / 8) {
            assertThat(transfer).as("the transfer before the upgrade").isNotDone();
            assertThat(System.nanoTime()).as("3 MiB within 30 s").isLessThan(end);
            Thread.sleep(20);
        }
        return transfer;
    }

    private Path socket() {
        return dir.resolve("ingress.sock");
    }

    private URI healthz() throws Exception {
        IngressConfig config = IngressConfig.load(dir.resolve("ingress.yaml"));
        return URI.create("http://127.0.0.1:" + config.admin().listenAddress().getPort() + "/healthz");
    }

    /** Plain refusals: --upgrade without a socket, and with nobody listening on it. */
    @Test
    void anUpgradeWithNothingToTakeOverIsRefusedInPlainWords() throws Exception {
        Path ingressYaml = dir.resolve("ingress.yaml");
        Process p = start("ingress", "a.log", "--config", ingressYaml.toString(), "--upgrade");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("a.log"))).contains("error: --upgrade needs --upgrade-socket PATH");

        Path socket = dir.resolve("nobody.sock");
        p = start(
                "ingress",
                "b.log",
                "--config",
                ingressYaml.toString(),
                "--upgrade-socket",
                socket.toString(),
                "--upgrade");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("b.log"))).contains("error: upgrade: no relay listens on " + socket);

        p = start(
                "ingress",
                "c.log",
                "--config",
                ingressYaml.toString(),
                "--upgrade-socket",
                dir.resolve("no-such-dir/ingress.sock").toString());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("c.log"))).contains("does not exist");

        p = start(
                List.of("-Dmasque.io=nio"),
                "ingress",
                "d.log",
                "--config",
                ingressYaml.toString(),
                "--upgrade-socket",
                socket().toString());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("d.log")))
                .contains("error: the upgrade socket needs the epoll transport (Linux), and this relay runs on nio");
    }

    /**
     * {@code GET /bytes/BODY} through the tunnel, read at {@link #BYTES_PER_SECOND} with a pause
     * after an eighth until {@code resume}; the body's SHA-256.
     */
    private static String slowGet(InetSocketAddress proxy, AtomicLong read, CompletableFuture<Void> resume) {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(proxy, 5000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /bytes/" + BODY + " HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new AssertionError("the response ended in its head: " + head);
                }
                head.append((char) c);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[16 * 1024];
            long t0 = System.nanoTime();
            long n = 0;
            while (n < BODY) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, BODY - n));
                if (r < 0) {
                    throw new AssertionError("the body ended after " + n + " of " + BODY + " bytes");
                }
                sha.update(buf, 0, r);
                n += r;
                read.set(n);
                if (n >= BODY / 8 && !resume.isDone()) {
                    resume.get(120, TimeUnit.SECONDS);
                    t0 = System.nanoTime() - n * 1_000_000_000L / BYTES_PER_SECOND;
                }
                long due = t0 + n * 1_000_000_000L / BYTES_PER_SECOND;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (Exception e) {
            throw new AssertionError("the transfer failed after " + read.get() + " bytes: " + e, e);
        }
    }

    private static long number(String log, String regex) {
        Matcher m = Pattern.compile(regex).matcher(log);
        assertThat(m.find()).as("/%s/ in %s", regex, log).isTrue();
        return Long.parseLong(m.group(1));
    }

    private long fetch(int bytes) throws Exception {
        TwoHopIT.ByteCounter body = new TwoHopIT.ByteCounter();
        HttpFetcher.fetch(client, origin.uri("/bytes/" + bytes), body, false).get(30, TimeUnit.SECONDS);
        return body.n;
    }

    private boolean fetchQuietly() {
        try {
            TwoHopIT.ByteCounter body = new TwoHopIT.ByteCounter();
            HttpFetcher.fetch(client, origin.uri("/bytes/10"), body, false).get(5, TimeUnit.SECONDS);
            return body.n == 10;
        } catch (Exception e) {
            return false;
        }
    }

    private Process start(String role, String log, String... args) throws java.io.IOException {
        return start(List.of(), role, log, args);
    }

    private Process start(List<String> jvm, String role, String log, String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.masquerelay.cli.MasqueCli", role));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile()))
                .start();
        processes.add(p);
        return p;
    }

    private static void awaitHealthy(URI healthz, Process p, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (status(healthz) != 200) {
            assertThat(p.isAlive())
                    .as("relay process: %s", Files.readString(log))
                    .isTrue();
            assertThat(System.nanoTime()).as("%s within 90 s", healthz).isLessThan(end);
            Thread.sleep(100);
        }
    }

    private static int status(URI uri) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return r.statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
