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

import io.netty.handler.codec.http3.Http3Headers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.TokenFetcher;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.issuer.IssuerServer;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.PrivateTokenCredentials;
import org.masquerelay.protocol.token.Token;

/**
 * The fleet-shared spend store (docs/architecture.md §5) on a real {@code redis-server} started
 * here on a free port: two {@code masque ingress} processes behind one issuer share it, a token
 * spent at one is refused at the other, and when the server stops the one set to {@code refuse}
 * answers 503 naming the store while the one set to {@code local} keeps admitting. Needs Debian's
 * {@code redis-server} (skipped without it, failed under {@code -Dmasque.requireClients=true}).
 */
class SharedSpendStoreIT {
    @TempDir
    Path dir;

    Process redis;
    final List<Process> ingresses = new ArrayList<>();
    IssuerServer issuer;
    EgressServer egress;
    int redisPort;
    String redisServer;

    @BeforeEach
    void start() throws Exception {
        String found = ExternalClients.require("redis-server", List.of("redis-server"), "redis-server");
        redisPort = freeTcp();
        Files.createDirectories(dir.resolve("redis"));
        redisServer = found;
        redis = new ProcessBuilder(redisCommand())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        LoopbackRelays.await(() -> accepts(redisPort), "redis-server to accept connections");
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        issuer = IssuerServer.start(IssuerConfig.load(dir.resolve("issuer.yaml")));
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : ingresses) {
            p.destroyForcibly();
        }
        if (redis != null) {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : new AutoCloseable[] {egress, issuer}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aTokenSpentAtOneIngressIsRefusedAtTheOtherAndAStoppedStoreFailsClosed() throws Exception {
        Ingress a = startIngress("a", "refuse");
        Ingress b = startIngress("b", "local");
        a.awaitHealthy();
        b.awaitHealthy();
        String apiKey = Files.readString(dir.resolve("client.apikey")).strip();
        try (TokenFetcher fetcher =
                        TokenFetcher.builder(issuer.directoryUri(), apiKey).build();
                RawH3Client atA = new RawH3Client(a.quic, InetAddress.getByName("127.1.0.60"));
                RawH3Client atB = new RawH3Client(b.quic, InetAddress.getByName("127.1.0.61"))) {
            Token token = a.tokenFor(atA, fetcher);
            assertThat(atA.request(a.withToken(token)).status()).isEqualTo(200);

            RawH3Client.Request replay = atB.request(b.withToken(token));
            assertThat(replay.status())
                    .as("the same token at the other ingress")
                    .isEqualTo(407);
            assertThat(replay.proxyStatus()).contains("already spent");
            // And the other way round: a token spent at B is refused at A.
            Token second = b.tokenFor(atB, fetcher);
            assertThat(atB.request(b.withToken(second)).status()).isEqualTo(200);
            assertThat(atA.request(a.withToken(second)).status()).isEqualTo(407);

            // The store goes away: A (on-error: refuse) fails closed, naming the store; B falls back.
            Token third = a.tokenFor(atA, fetcher);
            Token fourth = b.tokenFor(atB, fetcher);
            redis.destroy();
            assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();
            RawH3Client.Request closed = atA.request(a.withToken(third));
            assertThat(closed.status()).isEqualTo(503);
            assertThat(closed.proxyStatus())
                    .contains("error=proxy_internal_error")
                    .contains("spend store redis://127.0.0.1:" + redisPort + " unavailable");
            assertThat(atB.request(b.withToken(fourth)).status())
                    .as("on-error: local admits from this process's own set")
                    .isEqualTo(200);
            assertThat(atB.request(b.withToken(fourth)).status())
                    .as("and still refuses a double spend at the same ingress")
                    .isEqualTo(407);

            assertThat(a.metrics())
                    .containsPattern("masque_ingress_spend_store_errors_total\\{action=\"refused\"[^}]*} 1\\.0");
            assertThat(b.metrics())
                    .containsPattern("masque_ingress_spend_store_errors_total\\{action=\"local\"[^}]*} [1-9]");
            assertThat(a.metrics()).contains("masque_ingress_spend_store_latency_seconds_count");
            // The token refused with 503 was never spent: it is admitted once the store is back.
            startRedisAgain();
            LoopbackRelays.await(
                    () -> {
                        try {
                            return atA.request(a.withToken(third)).status() == 200;
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    "ingress a to admit the unspent token once the store is back");
            assertThat(Files.readString(a.log)).contains("does not answer").contains("answers again");
        }
    }

    /**
     * The added latency of one admission, end to end: a fresh token's CONNECT to its 200 at an
     * ingress with the shared store and at one without, interleaved from one client, same run. The
     * figures go to docs/performance.md; nothing here asserts a speed.
     */
    @Test
    void measureAdmissionLatencyAgainstTheLocalStore() throws Exception {
        Ingress shared = startIngress("shared", "refuse");
        Ingress local = startIngress("local", null);
        shared.awaitHealthy();
        local.awaitHealthy();
        String apiKey = Files.readString(dir.resolve("client.apikey")).strip();
        int rounds = 150; // two tokens a round; the issuer's tokens-per-hour is 1000
        try (TokenFetcher fetcher =
                        TokenFetcher.builder(issuer.directoryUri(), apiKey).build();
                RawH3Client atShared = new RawH3Client(shared.quic, InetAddress.getByName("127.1.0.62"));
                RawH3Client atLocal = new RawH3Client(local.quic, InetAddress.getByName("127.1.0.63"))) {
            List<Token> tokens = new ArrayList<>();
            // The challenge is the same at both (same issuer and origin info), so tokens are too.
            PrivateTokenChallenge challenge = TokenIT.challenge(atShared, shared.authority(), egressPath(), fetcher);
            while (tokens.size() < 2 * rounds + 20) {
                tokens.add(fetcher.next(challenge));
            }
            long[] sharedNanos = new long[rounds];
            long[] localNanos = new long[rounds];
            for (int i = -10; i < rounds; i++) { // ten warm-up rounds
                long l = admit(atLocal, local, tokens.remove(0));
                long r = admit(atShared, shared, tokens.remove(0));
                if (i >= 0) {
                    localNanos[i] = l;
                    sharedNanos[i] = r;
                }
            }
            System.out.printf(
                    "admission (CONNECT to 200), %d interleaved rounds: local store p50 %.2f ms p90 %.2f ms;"
                            + " redis store p50 %.2f ms p90 %.2f ms; ratio of medians %.2f%n",
                    rounds,
                    percentile(localNanos, 50) / 1e6,
                    percentile(localNanos, 90) / 1e6,
                    percentile(sharedNanos, 50) / 1e6,
                    percentile(sharedNanos, 90) / 1e6,
                    percentile(sharedNanos, 50) / percentile(localNanos, 50));
            Matcher m = Pattern.compile("masque_ingress_spend_store_latency_seconds_(count|sum)\\{[^}]*} (\\S+)")
                    .matcher(shared.metrics());
            double count = 0;
            double sum = 0;
            while (m.find()) {
                if (m.group(1).equals("count")) {
                    count = Double.parseDouble(m.group(2));
                } else {
                    sum = Double.parseDouble(m.group(2));
                }
            }
            assertThat(count).isEqualTo(rounds + 10);
            System.out.printf(
                    "spend store round trip as the ingress measured it: mean %.1f µs over %.0f%n",
                    sum / count * 1e6, count);
        }
    }

    private static long admit(RawH3Client raw, Ingress ingress, Token token) throws Exception {
        long t0 = System.nanoTime();
        RawH3Client.Request r = raw.request(ingress.withToken(token));
        assertThat(r.status()).isEqualTo(200);
        long took = System.nanoTime() - t0;
        r.stream.close().sync();
        return took;
    }

    private static double percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }

    private void startRedisAgain() throws Exception {
        redis = new ProcessBuilder(redisCommand())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("redis.log").toFile()))
                .start();
        LoopbackRelays.await(() -> accepts(redisPort), "redis-server to accept connections again");
    }

    private List<String> redisCommand() {
        return List.of(
                redisServer,
                "--port",
                Integer.toString(redisPort),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.resolve("redis").toString());
    }

    /** One {@code masque ingress} process with its own ports, sharing the store. */
    private final class Ingress {
        final InetSocketAddress quic;
        final int admin;
        final Path log;

        Ingress(InetSocketAddress quic, int admin, Path log) {
            this.quic = quic;
            this.admin = admin;
            this.log = log;
        }

        void awaitHealthy() throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (status("/healthz") != 200) {
                assertThat(System.nanoTime())
                        .as("ingress /healthz within 90 s: %s", Files.readString(log))
                        .isLessThan(end);
                Thread.sleep(100);
            }
        }

        Token tokenFor(RawH3Client raw, TokenFetcher fetcher) throws Exception {
            return fetcher.next(TokenIT.challenge(raw, authority(), egressPath(), fetcher));
        }

        Http3Headers withToken(Token token) {
            Http3Headers h = RawH3Client.connectUdp(authority(), egressPath());
            h.set("proxy-authorization", PrivateTokenCredentials.of(token).toFieldValue());
            return h;
        }

        String metrics() throws Exception {
            return get("/metrics").body();
        }

        private String authority() {
            return "localhost:" + quic.getPort();
        }

        private int status(String path) {
            try {
                return get(path).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }

        private HttpResponse<String> get(String path) throws Exception {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }

    private String egressPath() {
        return "/.well-known/masque/udp/" + LoopbackDeployment.EGRESS_HOST + "/"
                + egress.quicAddress().getPort() + "/";
    }

    /** Starts an ingress from the deployment's ingress.yaml with fresh ports and the shared store. */
    private Ingress startIngress(String name, @Nullable String onError) throws Exception {
        String yaml = Files.readString(dir.resolve("ingress.yaml"));
        int quic = freeUdp();
        int admin = freeTcp();
        yaml = replaceListen(yaml, "(?m)^listen: 127\\.0\\.0\\.1:\\d+$", "listen: 127.0.0.1:" + quic);
        yaml = replaceListen(yaml, "(?m)^  listen: 127\\.0\\.0\\.1:\\d+$", "  listen: 127.0.0.1:" + admin);
        assertThat(yaml).endsWith("token-keys: [issuer-token-key.pub]\n");
        if (onError != null) {
            yaml += "  spend-store:\n    uri: redis://127.0.0.1:" + redisPort + "\n    on-error: " + onError
                    + "\n    timeout: PT0.5S\n";
        }
        Path file = dir.resolve("ingress-" + name + ".yaml");
        Files.writeString(file, yaml);
        Path log = dir.resolve("ingress-" + name + ".log");
        ingresses.add(new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.masquerelay.cli.MasqueCli",
                        "ingress",
                        "--config",
                        file.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start());
        return new Ingress(new InetSocketAddress("127.0.0.1", quic), admin, log);
    }

    private static String replaceListen(String yaml, String regex, String replacement) {
        Matcher m = Pattern.compile(regex).matcher(yaml);
        assertThat(m.find()).as("%s in ingress.yaml", regex).isTrue();
        return m.replaceFirst(replacement);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static int freeUdp() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }
}
