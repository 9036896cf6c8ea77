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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.LocalForwarder;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.TcpEchoServer;

/**
 * SIGHUP on a real {@code masque egress} process (docs/architecture.md §7): a valid change to the
 * destination allowlist applies to the next request while a long flow opened before it carries
 * on byte-exact; an invalid file changes nothing, the relay keeps serving, and {@code /healthz}
 * says why the file was refused.
 */
class ReloadIT {
    static final InetAddress CLIENT = LoopbackRelays.addr("127.0.0.6");
    static final InetAddress ECHO = LoopbackRelays.addr("127.0.0.98");
    static final InetAddress WEB = LoopbackRelays.addr("127.0.0.97");

    @TempDir
    Path dir;

    Process egress;
    IngressServer ingress;
    MasqueClient client;
    HttpOrigin origin;
    TcpEchoServer echo;

    @AfterEach
    void stop() throws Exception {
        if (egress != null) {
            egress.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : new AutoCloseable[] {client, ingress, origin, echo}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void sighupAppliesAValidAllowlistToNewRequestsKeepsOpenFlowsAndRefusesAnInvalidFile() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress(WEB, 0));
        echo = new TcpEchoServer(new InetSocketAddress(ECHO, 0));
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of("127.0.0.3"));
        Path egressYaml = dir.resolve("egress.yaml");
        String original = Files.readString(egressYaml);
        assertThat(original).contains("  allow:\n    - 127.0.0.0/8\n");
        EgressConfig config = EgressConfig.load(egressYaml);
        Path log = dir.resolve("egress.log");
        egress = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.masquerelay.cli.MasqueCli",
                        "egress",
                        "--config",
                        egressYaml.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        URI healthz = URI.create("http://" + LoopbackDeployment.EGRESS_HOST + ":"
                + config.admin().listenAddress().getPort() + "/healthz");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (status(healthz) != 200) {
            assertThat(egress.isAlive())
                    .as("egress process: %s", Files.readString(log))
                    .isTrue();
            assertThat(System.nanoTime()).as("egress /healthz within 90 s").isLessThan(end);
            Thread.sleep(100);
        }
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
        assertThat(fetch()).as("the web origin before the reload").isEqualTo(10_000);

        try (LocalForwarder fwd = new LocalForwarder(
                        client,
                        new InetSocketAddress(CLIENT, 0),
                        ECHO.getHostAddress(),
                        echo.localAddress().getPort());
                Socket flow = new Socket()) {
            flow.connect(fwd.localAddress(), 5000);
            flow.setSoTimeout(20_000);
            assertThat(echo(flow, 200_000)).isTrue();

            // Valid: only the echo target stays allowed.
            Files.writeString(egressYaml, original.replace("    - 127.0.0.0/8\n", "    - 127.0.0.98/32\n"));
            sighup(egress);
            LoopbackRelays.await(() -> body(healthz).contains("config reloaded at"), "the egress to reload");
            assertThat(egress.isAlive()).isTrue();
            assertThat(echo(flow, 500_000))
                    .as("the flow opened before the reload")
                    .isTrue();
            assertThatThrownBy(this::fetch)
                    .as("a new request to a target the new allowlist drops")
                    .hasStackTraceContaining("destination_ip_prohibited");
            try (Socket second = new Socket()) {
                second.connect(fwd.localAddress(), 5000);
                second.setSoTimeout(20_000);
                assertThat(echo(second, 10_000))
                        .as("a new flow to the target still allowed")
                        .isTrue();
            }

            // Invalid: the relay keeps the previous config and says why in /healthz.
            Files.writeString(egressYaml, original.replace("    - 127.0.0.0/8\n", "    - 127.0.0.0/33\n"));
            sighup(egress);
            LoopbackRelays.await(
                    () -> body(healthz).contains("config reload failed"), "/healthz to report the bad file");
            assertThat(status(healthz)).isEqualTo(200);
            assertThat(body(healthz)).contains("destinations.allow[0]").contains("still serving the previous config");
            assertThat(Files.readString(log)).contains("is not valid, still serving the previous config");
            assertThat(echo(flow, 500_000))
                    .as("the first flow, after both reloads")
                    .isTrue();
            assertThatThrownBy(this::fetch)
                    .as("the previous (reloaded) allowlist still applies")
                    .hasStackTraceContaining("destination_ip_prohibited");
            assertThat(egress.isAlive()).isTrue();
        }
    }

    /**
     * The ingress's reload, in process: a new egress list applies to the next tunnel, and a change
     * that needs a restart (the listen address) is refused, leaving everything as it was, with
     * the reason in {@code /healthz}.
     */
    @Test
    void anIngressReloadAppliesItsEgressListAndRefusesARestartOnlyChange() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress(WEB, 0));
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of("127.0.0.3"));
        try (org.masquerelay.egress.EgressServer e =
                org.masquerelay.egress.EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")))) {
            Path yaml = dir.resolve("ingress.yaml");
            String original = Files.readString(yaml);
            IngressConfig first = IngressConfig.load(yaml);
            ingress = IngressServer.start(first);
            URI healthz = URI.create(
                    "http://127.0.0.1:" + first.admin().listenAddress().getPort() + "/healthz");
            client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT);
            assertThat(fetch()).isEqualTo(10_000);

            String egressEntry = "  - " + LoopbackDeployment.EGRESS_HOST + ":"
                    + e.quicAddress().getPort() + "\n";
            assertThat(original).contains(egressEntry);
            Files.writeString(yaml, original.replace(egressEntry, "  - 127.0.0.1:9\n"));
            assertThat(ingress.reload(IngressConfig.load(yaml))).isTrue();
            try (MasqueClient other = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT)) {
                assertThatThrownBy(() -> other.connect().get(20, TimeUnit.SECONDS))
                        .as("a new tunnel to an egress the new list dropped")
                        .hasStackTraceContaining("http_request_denied");
            }
            assertThat(body(healthz)).contains("config reloaded at");

            int port = first.listenAddress().getPort();
            Files.writeString(yaml, original.replace("listen: 127.0.0.1:" + port, "listen: 127.0.0.1:" + (port ^ 1)));
            assertThat(ingress.reload(IngressConfig.load(yaml))).isFalse();
            assertThat(body(healthz))
                    .contains("config reload failed")
                    .contains("listen: changed (expected: unchanged; a new listen needs a restart)");
            assertThat(ingress.config().egressRelays())
                    .as("the refused reload changed nothing")
                    .containsExactly("127.0.0.1:9");

            Files.writeString(yaml, original);
            assertThat(ingress.reload(IngressConfig.load(yaml))).isTrue();
            try (MasqueClient again = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT)) {
                TwoHopIT.ByteCounter b = new TwoHopIT.ByteCounter();
                HttpFetcher.fetch(again, origin.uri("/bytes/10000"), b, false).get(20, TimeUnit.SECONDS);
                assertThat(b.n).isEqualTo(10_000);
            }
        }
    }

    private long fetch() throws Exception {
        TwoHopIT.ByteCounter body = new TwoHopIT.ByteCounter();
        HttpFetcher.fetch(client, origin.uri("/bytes/10000"), body, false).get(20, TimeUnit.SECONDS);
        return body.n;
    }

    private static void sighup(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static boolean echo(Socket s, int n) throws Exception {
        byte[] out = new byte[n];
        ThreadLocalRandom.current().nextBytes(out);
        OutputStream o = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] back = new byte[n];
        // Write and read in chunks, so neither side's buffers have to hold it all.
        int sent = 0;
        int read = 0;
        while (read < n) {
            if (sent < n) {
                int len = Math.min(16_384, n - sent);
                o.write(out, sent, len);
                o.flush();
                sent += len;
            }
            int got = in.read(back, read, Math.min(16_384, n - read));
            if (got < 0) {
                return false;
            }
            read += got;
        }
        return Arrays.equals(back, out);
    }

    private static int status(URI uri) {
        try {
            return get(uri).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(URI uri) {
        try {
            return get(uri).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
