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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.LocalForwarder;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.proxy.ClientPool;
import org.masquerelay.proxy.ProxyConfig;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.TcpEchoServer;

/**
 * The relays' life cycle as a client sees it: a hop that goes away and comes back, and an
 * operator's SIGTERM (GOAWAY, drain with a deadline, exit) against a real relay process.
 */
class RelayLifecycleIT {
    static final InetAddress CLIENT = LoopbackRelays.addr("127.0.0.6");
    static final InetAddress TARGET = LoopbackRelays.addr("127.0.0.98");

    @TempDir
    Path dir;

    HttpOrigin origin;
    TcpEchoServer tcpEcho;
    EgressServer egress;
    IngressServer ingress;
    MasqueClient client;
    Process relayProcess;

    @BeforeEach
    void start() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress(TARGET, 0));
        tcpEcho = new TcpEchoServer(new InetSocketAddress(TARGET, 0));
        // Targets are dialled from 127.0.0.3: the egress refuses its own addresses as targets.
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of("127.0.0.3"));
    }

    @AfterEach
    void stop() {
        if (relayProcess != null) {
            relayProcess.destroyForcibly();
        }
        for (AutoCloseable c : new AutoCloseable[] {client, ingress, egress, origin, tcpEcho}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    void clientReconnectsAfterTheIngressRestarts() throws Exception {
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        assertThat(fetch(4096)).isEqualTo(4096);

        ingress.close(); // CONNECTION_CLOSE to the client, then the port is free again
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        // A flow that races the CONNECTION_CLOSE fails fast; the next one gets a new session.
        LoopbackRelays.await(this::fetchQuietly, "a fetch through the restarted ingress");

        assertThat(fetch(100_000)).isEqualTo(100_000);
        assertThat(client.reconnects()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void clientReconnectsAfterTheEgressRestarts() throws Exception {
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        assertThat(fetch(4096)).isEqualTo(4096);
        int before = client.reconnects();

        egress.close(); // closes the inner connection; the outer one to the ingress survives
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        // A flow that races the CONNECTION_CLOSE may fail; the next one gets a new session.
        LoopbackRelays.await(this::fetchQuietly, "a fetch through the restarted egress");

        assertThat(fetch(100_000)).isEqualTo(100_000);
        assertThat(client.reconnects()).isGreaterThan(before);
    }

    /**
     * Keep-alive frames keep a quiet session alive past the dead-peer timeout: in forwarded mode
     * the outer connection carries nothing else, and without them the live ingress would be
     * judged dead.
     */
    @Test
    void aQuietSessionOutlivesTheDeadPeerTimeout() throws Exception {
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        assertThat(fetch(4096)).isEqualTo(4096);
        int before = client.reconnects();
        Thread.sleep(6_000); // three dead-peer timeouts without a request
        assertThat(fetch(4096)).isEqualTo(4096);
        assertThat(client.reconnects())
                .as("the quiet session was kept, not rebuilt")
                .isEqualTo(before);
    }

    /**
     * SIGKILL of a real {@code masque egress} process sends nothing: no CONNECTION_CLOSE, no
     * ICMP toward the client. The client's keep-alive finds the hop dead and fails the open flow
     * within 3 s (not the 30 s idle timeout); after the restart a new fetch succeeds.
     */
    @Test
    void killedEgressFailsOpenFlowsWithinThreeSecondsAndANewFetchSucceedsAfterItsRestart() throws Exception {
        Path egressYaml = dir.resolve("egress.yaml");
        relayProcess = startRelay("egress", egressYaml);
        URI healthz = healthz(egressYaml);
        awaitHealthy(healthz, relayProcess, dir.resolve("egress.log"));
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        try (LocalForwarder fwd = new LocalForwarder(
                        client,
                        new InetSocketAddress(CLIENT, 0),
                        TARGET.getHostAddress(),
                        tcpEcho.localAddress().getPort());
                Socket flow = new Socket()) {
            flow.connect(fwd.localAddress(), 5000);
            flow.setSoTimeout(20_000); // a hang ends here, as a SocketTimeoutException
            assertThat(echo(flow, 1000)).isTrue();

            relayProcess.destroyForcibly(); // SIGKILL: the egress says nothing to anyone
            assertThat(relayProcess.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long killedAt = System.nanoTime();
            InputStream in = flow.getInputStream();
            try {
                while (in.read() >= 0) {
                    // nothing more is echoed; read until the flow ends
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("the open flow still hangs 20 s after the egress was killed", e);
            } catch (java.io.IOException expected) {
                // a reset is as good as an end of stream: the flow failed
            }
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            System.err.printf("dead egress: the open flow ended %.2f s after SIGKILL%n", seconds);
            assertThat(seconds).as("the open flow fails within 3 s of the kill").isLessThan(3.0);
        }

        relayProcess = startRelay("egress", egressYaml);
        awaitHealthy(healthz, relayProcess, dir.resolve("egress.log"));
        LoopbackRelays.await(this::fetchQuietly, "a fetch through the restarted egress");
        assertThat(fetch(100_000)).isEqualTo(100_000);
    }

    /**
     * SIGTERM to a real egress process while a flow keeps it draining: a new request through the
     * local proxy, whose relay connection is up and idle, is answered at once (503 from the
     * draining egress, or 502 when a new session to it is refused), not after the egress's whole
     * drain-timeout.
     */
    @Test
    void aNewProxyRequestWhileTheEgressDrainsIsAnsweredAtOnce() throws Exception {
        Path egressYaml = dir.resolve("egress.yaml");
        relayProcess = startRelay("egress", egressYaml);
        URI healthz = healthz(egressYaml);
        awaitHealthy(healthz, relayProcess, dir.resolve("egress.log"));
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        ClientConfig config = ClientConfig.load(dir.resolve("client.yaml"));
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ProxyServer proxy = ProxyServer.start(
                        ProxyConfig.of(null, any, null, 100, Duration.ofSeconds(20)),
                        new ClientPool(() -> new MasqueClient(config, false, CLIENT), 100, Duration.ofSeconds(20)));
                Socket open = new Socket()) {
            InetSocketAddress http = java.util.Objects.requireNonNull(proxy.httpAddress());
            String url = "http://" + TARGET.getHostAddress() + ":"
                    + origin.localAddress().getPort() + "/bytes/100";
            assertThat(proxyGet(http, url)).startsWith("HTTP/1.1 200");
            // A flow that stays open keeps the egress draining for its whole drain-timeout (10 s).
            open.connect(http, 5000);
            open.setSoTimeout(20_000);
            String echo = TARGET.getHostAddress() + ":" + tcpEcho.localAddress().getPort();
            open.getOutputStream()
                    .write(("CONNECT " + echo + " HTTP/1.1\r\nHost: " + echo + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(open.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 200");

            relayProcess.destroy(); // SIGTERM: GOAWAY, refuse new requests, drain
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (status(healthz) != 503) {
                assertThat(System.nanoTime()).as("the egress reports draining").isLessThan(end);
                Thread.sleep(20);
            }
            long t = System.nanoTime();
            String answer = proxyGet(http, url);
            double seconds = (System.nanoTime() - t) / 1e9;
            System.err.printf(
                    "draining egress: a new proxy request answered in %.2f s: %s%n",
                    seconds, answer.lines().findFirst().orElse(""));
            // 503 from the draining egress when the request still reaches it on the open
            // connection; 502 destination_unavailable when the client had already taken the
            // GOAWAY and the only egress refused a new session. Either way it is said at once.
            assertThat(answer).containsPattern("^HTTP/1\\.1 50[23] ").contains("proxy-status: ");
            assertThat(seconds).as("answered at once, not after the drain").isLessThan(2.0);
        }
    }

    /** One GET through the HTTP proxy; the response head. */
    private static String proxyGet(InetSocketAddress proxy, String url) throws java.io.IOException {
        try (Socket s = new Socket()) {
            s.connect(proxy, 5000);
            s.setSoTimeout(30_000);
            String host = URI.create(url).getAuthority();
            s.getOutputStream()
                    .write(("GET " + url + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private Process startRelay(String role, Path config) throws java.io.IOException {
        return startRelay(role, config, Map.of());
    }

    private Process startRelay(String role, Path config, Map<String, String> env) throws java.io.IOException {
        ProcessBuilder b = new ProcessBuilder(
                        javaBin(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.masquerelay.cli.MasqueCli",
                        role,
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve(role + ".log").toFile()));
        b.environment().putAll(env);
        return b.start();
    }

    /**
     * {@code MASQUE_LOG_FORMAT=json}: every log line of a real egress process is one JSON object,
     * its access line carries the flow's fields as key-value pairs, and nothing names the client.
     * Any other value than text or json is refused before the relay starts.
     */
    @Test
    void jsonLogsAreOneObjectPerLineAndTheAccessLineCarriesItsFields() throws Exception {
        Path egressYaml = dir.resolve("egress.yaml");
        Path log = dir.resolve("egress.log");
        Process bad = startRelay("egress", egressYaml, Map.of("MASQUE_LOG_FORMAT", "yaml"));
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(78);
        assertThat(Files.readString(log)).isEqualTo("error: MASQUE_LOG_FORMAT must be text or json, not 'yaml'\n");
        Files.delete(log);

        relayProcess = startRelay("egress", egressYaml, Map.of("MASQUE_LOG_FORMAT", "json"));
        awaitHealthy(healthz(egressYaml), relayProcess, log);
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        assertThat(fetch(4096)).isEqualTo(4096);
        ObjectMapper json = new ObjectMapper();
        JsonNode access = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<JsonNode> lines = new ArrayList<>();
        while (access == null) { // the access line is written when the flow ends
            assertThat(System.nanoTime())
                    .as("an access line within 20 s: %s", Files.readString(log))
                    .isLessThan(deadline);
            Thread.sleep(100);
            lines.clear();
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("{")) { // stdout's banner shares the file and is plain text
                    JsonNode node = json.readTree(line);
                    lines.add(node);
                    if (node.path("loggerName").asText().equals("org.masquerelay.access")) {
                        access = node;
                    }
                }
            }
        }
        assertThat(lines)
                .anySatisfy(l -> assertThat(l.path("formattedMessage").asText()).startsWith("egress listening on"));
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.path("timestamp").asLong()).isPositive();
            assertThat(l.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
        });
        assertThat(access.path("formattedMessage").asText()).matches("egress tcp flow status=200 error=- ms=\\d+");
        Map<String, String> fields = new java.util.TreeMap<>();
        access.path("kvpList")
                .forEach(kv -> kv.fields()
                        .forEachRemaining(
                                f -> fields.put(f.getKey(), f.getValue().asText())));
        assertThat(fields)
                .containsEntry("relay", "egress")
                .containsEntry("kind", "tcp flow")
                .containsEntry("status", "200")
                .containsEntry("error", "-")
                .containsKey("ms");
        assertThat(Files.readString(log)).doesNotContain(CLIENT.getHostAddress());
    }

    /** The egress's /healthz, from the admin listener its config names. */
    private static URI healthz(Path egressYaml) throws Exception {
        InetSocketAddress admin = EgressConfig.load(egressYaml).admin().listenAddress();
        return URI.create("http://" + admin.getHostString() + ":" + admin.getPort() + "/healthz");
    }

    /** A cold JVM on a shared 2-core machine can take a while; a dead process fails at once. */
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

    /**
     * SIGTERM on a real {@code masque ingress} process: /healthz turns 503, clients get GOAWAY and
     * new tunnels are refused with 503, a flow already open keeps working until the drain
     * deadline, then the process closes what is left and exits.
     */
    @Test
    void sigtermSendsGoawayDrainsUntilTheDeadlineThenExits() throws Exception {
        Path ingressYaml = dir.resolve("ingress.yaml");
        Files.writeString(
                ingressYaml, Files.readString(ingressYaml).replace("drain-timeout: PT10S", "drain-timeout: PT4S"));
        IngressConfig config = IngressConfig.load(ingressYaml);
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        Path log = dir.resolve("ingress.log");
        relayProcess = startRelay("ingress", ingressYaml);
        URI healthz =
                URI.create("http://127.0.0.1:" + config.admin().listenAddress().getPort() + "/healthz");
        awaitHealthy(healthz, relayProcess, log);

        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        try (LocalForwarder fwd = new LocalForwarder(
                        client,
                        new InetSocketAddress(CLIENT, 0),
                        TARGET.getHostAddress(),
                        tcpEcho.localAddress().getPort());
                Socket flow = new Socket()) {
            flow.connect(fwd.localAddress(), 5000);
            flow.setSoTimeout(10_000);
            assertThat(echo(flow, 1000)).isTrue();

            long termAt = System.nanoTime();
            relayProcess.destroy(); // SIGTERM
            LoopbackRelays.await(() -> status(healthz) == 503, "/healthz to report draining");

            // The open flow still works while draining.
            assertThat(echo(flow, 50_000)).isTrue();
            // A new client is refused: the ingress accepts no new tunnels while draining.
            try (MasqueClient late = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT)) {
                assertThatThrownBy(() -> late.connect().get(20, TimeUnit.SECONDS))
                        .cause()
                        .isInstanceOf(java.io.IOException.class)
                        .hasMessageContaining("GOAWAY");
            }

            assertThat(relayProcess.waitFor(15, TimeUnit.SECONDS))
                    .as("ingress exits after the drain")
                    .isTrue();
            double seconds = (System.nanoTime() - termAt) / 1e9;
            assertThat(seconds).as("exit waits for the 4 s drain deadline").isGreaterThanOrEqualTo(3.5);
            // JVM convention for a SIGTERM that ran its shutdown hook: 128 + 15.
            assertThat(relayProcess.exitValue()).isEqualTo(143);
            String output = Files.readString(log);
            assertThat(output).contains("drain finished with 1 open tunnel(s) or flow(s) left");
        }
    }

    private long fetch(int bytes) throws Exception {
        return fetch(bytes, 30);
    }

    private long fetch(int bytes, int timeoutSeconds) throws Exception {
        TwoHopIT.ByteCounter body = new TwoHopIT.ByteCounter();
        HttpFetcher.fetch(client, origin.uri("/bytes/" + bytes), body, false).get(timeoutSeconds, TimeUnit.SECONDS);
        return body.n;
    }

    private boolean fetchQuietly() {
        try {
            return fetch(10, 5) == 10;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean echo(Socket s, int n) throws Exception {
        byte[] out = new byte[n];
        ThreadLocalRandom.current().nextBytes(out);
        OutputStream o = s.getOutputStream();
        o.write(out);
        o.flush();
        InputStream in = s.getInputStream();
        return java.util.Arrays.equals(in.readNBytes(n), out);
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

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
