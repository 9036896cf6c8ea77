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

import io.netty.handler.codec.http3.Http3Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.TokenFetcher;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.issuer.IssuerServer;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.PrivateTokenCredentials;
import org.masquerelay.protocol.token.Token;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * Privacy Pass end to end (docs/architecture.md §5) with the files of {@code masque init}: an issuer, an
 * ingress that demands tokens, and clients that fetch them with an API key.
 */
class TokenIT {
    @TempDir
    static Path dir;

    static HttpOrigin origin;
    static IssuerServer issuer;
    static EgressServer egress;
    static IngressServer ingress;

    @BeforeAll
    static void start() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        issuer = IssuerServer.start(IssuerConfig.load(dir.resolve("issuer.yaml")));
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {ingress, egress, issuer, origin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static String ingressAuthority() {
        return "localhost:" + ingress.quicAddress().getPort();
    }

    static String egressPath() {
        return "/.well-known/masque/udp/" + LoopbackDeployment.EGRESS_HOST + "/"
                + egress.quicAddress().getPort() + "/";
    }

    /** A request without a token, whose 407 challenge the fetcher answers with a fresh token. */
    static Token tokenFor(RawH3Client raw, TokenFetcher fetcher) throws Exception {
        return fetcher.next(challenge(raw, ingressAuthority(), egressPath(), fetcher));
    }

    /** The challenge in the 407 to a token-less connect-udp request for {@code path}. */
    static PrivateTokenChallenge challenge(RawH3Client raw, String authority, String path, TokenFetcher fetcher)
            throws Exception {
        RawH3Client.Request first = raw.request(RawH3Client.connectUdp(authority, path));
        return fetcher.selectChallenge(first.response
                        .get(20, TimeUnit.SECONDS)
                        .get("proxy-authenticate")
                        .toString())
                .orElseThrow();
    }

    static Http3Headers withToken(Token token) {
        Http3Headers h = RawH3Client.connectUdp(ingressAuthority(), egressPath());
        h.set("proxy-authorization", PrivateTokenCredentials.of(token).toFieldValue());
        return h;
    }

    @Test
    void noTokenGets407WithAPrivateTokenChallenge() throws Exception {
        try (RawH3Client raw = new RawH3Client(ingress.quicAddress(), InetAddress.getByName("127.1.0.50"))) {
            RawH3Client.Request r = raw.request(RawH3Client.connectUdp(ingressAuthority(), egressPath()));
            assertThat(r.status()).isEqualTo(407);
            String challenge = r.response.get().get("proxy-authenticate").toString();
            assertThat(PrivateTokenChallenge.parse(challenge))
                    .singleElement()
                    .satisfies(c -> assertThat(c.tokenType()).isEqualTo(0x0002));
            assertThat(r.proxyStatus()).startsWith("ingress; error=http_request_denied");
        }
        // The normal first round of a token-less client is a challenge, not an error, in /metrics.
        assertThat(ingress.metrics().challenges("token required")).isPositive();
        assertThat(ingress.scrapeMetrics()).contains("masque_ingress_auth_challenges_total{reason=\"token_required\"}");
    }

    @Test
    void issuedTokenAdmitsATunnelAndADoubleSpendIsRefused() throws Exception {
        // A client with the deployment's API key: 407, tokens from the issuer, tunnel, fetch.
        try (MasqueClient client = new MasqueClient(
                ClientConfig.load(dir.resolve("client.yaml")), false, InetAddress.getByName("127.1.0.51"))) {
            TwoHopIT.ByteCounter body = new TwoHopIT.ByteCounter();
            HttpFetcher.fetch(client, origin.uri("/bytes/100000"), body, false).get(60, TimeUnit.SECONDS);
            assertThat(body.n).isEqualTo(100_000);
        }
        // Spend one token by hand, then present it again.
        String apiKey = Files.readString(dir.resolve("client.apikey")).strip();
        try (TokenFetcher fetcher =
                        TokenFetcher.builder(issuer.directoryUri(), apiKey).build();
                RawH3Client raw = new RawH3Client(ingress.quicAddress(), InetAddress.getByName("127.1.0.52"))) {
            Token token = tokenFor(raw, fetcher);
            assertThat(raw.request(withToken(token)).status()).isEqualTo(200);
            RawH3Client.Request replay = raw.request(withToken(token));
            assertThat(replay.status()).isEqualTo(407);
            assertThat(replay.proxyStatus()).contains("already spent");
        }
    }

    @Test
    void aWrongApiKeyGetsNoTokensAndNoTunnel() throws Exception {
        Path badKey = dir.resolve("wrong.apikey");
        Files.writeString(badKey, "not-the-key\n");
        Path yaml = dir.resolve("client-wrong-key.yaml");
        Files.writeString(
                yaml,
                Files.readString(dir.resolve("client.yaml"))
                        .replace("api-key-file: client.apikey", "api-key-file: wrong.apikey"));
        try (MasqueClient client =
                new MasqueClient(ClientConfig.load(yaml), false, InetAddress.getByName("127.1.0.53"))) {
            assertThatThrownBy(() -> client.connect().get(30, TimeUnit.SECONDS))
                    .rootCause()
                    .hasMessageContaining("api key");
        }
    }

    @Test
    void aForgedTokenIsRefused() throws Exception {
        String apiKey = Files.readString(dir.resolve("client.apikey")).strip();
        try (TokenFetcher fetcher =
                        TokenFetcher.builder(issuer.directoryUri(), apiKey).build();
                RawH3Client raw = new RawH3Client(ingress.quicAddress(), InetAddress.getByName("127.1.0.54"))) {
            Token token = tokenFor(raw, fetcher);
            byte[] auth = token.authenticator();
            auth[100] ^= 1;
            Token forged = new Token(token.nonce(), token.challengeDigest(), token.tokenKeyId(), auth);
            RawH3Client.Request r = raw.request(withToken(forged));
            assertThat(r.status()).isEqualTo(407);
            assertThat(r.proxyStatus()).contains("invalid token");
            // The genuine one still works: a forged copy does not burn it.
            assertThat(raw.request(withToken(token)).status()).isEqualTo(200);
        }
    }

    @Test
    void aRequestRefusedAtTheTunnelLimitDoesNotSpendItsToken() throws Exception {
        String apiKey = Files.readString(dir.resolve("client.apikey")).strip();
        int limit = 16; // max-tunnels-per-connection in the deployment init writes
        try (TokenFetcher fetcher =
                        TokenFetcher.builder(issuer.directoryUri(), apiKey).build();
                RawH3Client raw = new RawH3Client(ingress.quicAddress(), InetAddress.getByName("127.1.0.55"))) {
            List<RawH3Client.Request> held = new ArrayList<>();
            for (int i = 0; i < limit; i++) {
                RawH3Client.Request r = raw.request(withToken(tokenFor(raw, fetcher)));
                assertThat(r.status()).isEqualTo(200);
                held.add(r);
            }
            Token token = tokenFor(raw, fetcher);
            RawH3Client.Request refused = raw.request(withToken(token));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.proxyStatus()).contains("connection_limit_reached");
            // A slot frees up; the same token, never spent, now opens the tunnel.
            held.get(0).stream.close().sync();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int status;
            do {
                status = raw.request(withToken(token)).status();
            } while (status == 503 && System.nanoTime() < deadline);
            assertThat(status).as("the token refused at the limit was spent").isEqualTo(200);
        }
    }
}
