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
package org.masquerelay.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.TokenFetchException;
import org.masquerelay.client.TokenFetcher;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.protocol.token.IssuanceHttp;
import org.masquerelay.protocol.token.IssuerDirectory;
import org.masquerelay.protocol.token.PendingToken;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.Token;
import org.masquerelay.protocol.token.TokenChallenge;
import org.masquerelay.protocol.token.TokenKey;
import org.masquerelay.protocol.token.TokenRequest;
import org.masquerelay.protocol.token.TokenResponse;
import org.masquerelay.tools.pki.Pki;
import org.slf4j.LoggerFactory;

/**
 * A real issuer on 127.0.0.1:0, reached through a {@link RecordingProxy} that keeps every byte
 * the issuer received, with its logs captured at TRACE. Each test uses its own account, so the
 * per-account limits of one do not leak into another.
 */
class IssuerIT {
    static final int TOKENS_PER_HOUR = 20;
    static final String ALICE = "aliceKey-0123456789abcdef";
    static final String BOB = "bobKey-0123456789abcdefgh";
    static final String CAROL = "carolKey-0123456789abcdef";
    static final String DAVE = "daveKey-0123456789abcdefg";
    static final String ERIN = "erinKey-0123456789abcdefg";
    static final String WRONG = "wrongKey-0123456789abcdef";
    static final List<String> ALL_KEYS = List.of(ALICE, BOB, CAROL, DAVE, ERIN, WRONG);
    static final TokenChallenge CHALLENGE =
            new TokenChallenge(PublicTokenIssuance.TOKEN_TYPE, "issuer.test", new byte[0], "ingress.test");

    @TempDir
    static Path dir;

    static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    static Logger projectLogger;
    static Level savedLevel;
    static IssuerServer issuer;
    static RecordingProxy proxy;
    static URI base;
    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final SecureRandom random = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        projectLogger = context.getLogger("org.masquerelay");
        savedLevel = projectLogger.getLevel();
        projectLogger.setLevel(Level.TRACE);
        logs.setContext(context);
        logs.start();
        projectLogger.addAppender(logs);

        Path config = IssuerFixtures.writeConfig(
                dir,
                String.join(
                        "\n",
                        "# accounts",
                        "alice:" + ALICE,
                        "bob:" + BOB,
                        "carol:" + CAROL,
                        "dave:" + DAVE,
                        "erin:" + ERIN,
                        ""),
                "tokens-per-hour: " + TOKENS_PER_HOUR + "\nmax-batch: 4\n");
        issuer = IssuerServer.start(IssuerConfig.load(config));
        proxy = new RecordingProxy(issuer.address());
        base = URI.create("http://127.0.0.1:" + proxy.port() + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (issuer != null) {
            issuer.close();
        }
        projectLogger.detachAppender(logs);
        projectLogger.setLevel(savedLevel);
    }

    @Test
    void servesTheDirectoryWithTheTokenKeyAndCacheHeaders() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(base.resolve(IssuanceHttp.DIRECTORY_PATH))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains(IssuanceHttp.DIRECTORY_MEDIA_TYPE);
        assertThat(response.headers().firstValue("Cache-Control")).contains("max-age=86400");
        IssuerDirectory directory = IssuerDirectory.fromJson(response.body());
        assertThat(directory.issuerRequestUri()).isEqualTo("/token-request");
        assertThat(directory.tokenKeys()).singleElement().satisfies(entry -> {
            assertThat(entry.tokenType()).isEqualTo(0x0002);
            assertThat(TokenKey.decode(entry.tokenKey())).isEqualTo(issuer.tokenKey());
            assertThat(entry.notBefore()).isEmpty();
        });
        assertThat(TokenKey.of(IssuerFixtures.signingKey().publicKey())).isEqualTo(issuer.tokenKey());

        HttpResponse<String> head = http.send(
                HttpRequest.newBuilder(base.resolve(IssuanceHttp.DIRECTORY_PATH))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(base.resolve(IssuanceHttp.DIRECTORY_PATH))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(get(IssuanceHttp.DIRECTORY_PATH + "x").statusCode()).isEqualTo(404);
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get(IssuanceHttp.REQUEST_PATH).statusCode()).isEqualTo(405);
    }

    @Test
    void issuesABatchOfTokensThatVerifyAndRefillsInTheBackground() throws Exception {
        try (TokenFetcher fetcher =
                fetcher(ALICE).batchSize(8).lowWatermark(4).parallelism(4).build()) {
            List<Token> tokens = new ArrayList<>();
            tokens.add(fetcher.next(CHALLENGE));
            awaitAvailable(fetcher, 7); // the rest of the first batch
            for (int i = 0; i < 4; i++) {
                tokens.add(fetcher.next(CHALLENGE)); // down to 3, below the low watermark of 4
            }
            awaitAvailable(fetcher, 3 + 8); // a second batch arrived without being asked for

            for (Token token : tokens) {
                PublicTokenIssuance.verify(token, CHALLENGE.digest(), issuer.tokenKey());
            }
            assertThat(tokens.stream()
                            .map(t -> HexFormat.of().formatHex(t.nonce()))
                            .distinct())
                    .hasSize(5);
            // A token for another challenge does not pass as one for this challenge.
            TokenChallenge other = new TokenChallenge(2, "issuer.test", new byte[0], "other-ingress.test");
            Token forOther = fetcher.next(other);
            PublicTokenIssuance.verify(forOther, other.digest(), issuer.tokenKey());
            assertThatThrownBy(() -> PublicTokenIssuance.verify(forOther, CHALLENGE.digest(), issuer.tokenKey()))
                    .hasMessageContaining("challenge_digest");
        }
    }

    @Test
    void answersAChallengeFromAProxyAuthenticateField() throws Exception {
        String field = PrivateTokenChallenge.of(CHALLENGE, issuer.tokenKey(), OptionalLong.of(60))
                .toFieldValue();
        try (TokenFetcher fetcher = fetcher(ERIN).batchSize(2).build()) {
            PrivateTokenChallenge selected = fetcher.selectChallenge(field).orElseThrow();
            Token token = fetcher.next(selected);
            PublicTokenIssuance.verify(
                    token, selected.decodeChallenge().digest(), TokenKey.decode(selected.tokenKey()));
        }
    }

    @Test
    void aCallerWhoGivesUpLeavesItsTokenToTheCache() throws Exception {
        try (TokenFetcher fetcher = fetcher(ERIN).batchSize(2).lowWatermark(1).build()) {
            CompletableFuture<Token> abandoned = fetcher.nextAsync(CHALLENGE);
            assumeTrue(abandoned.cancel(false), "the token arrived before the cancel");
            awaitAvailable(fetcher, 2);
            PublicTokenIssuance.verify(fetcher.next(CHALLENGE), CHALLENGE.digest(), issuer.tokenKey());
        }
    }

    @Test
    void aWrongApiKeyGets401AndNoTokens() throws Exception {
        byte[] body = tokenRequest().request().encode();
        HttpResponse<byte[]> none = post(null, IssuanceHttp.REQUEST_MEDIA_TYPE, body);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"issuer.test\"");
        HttpResponse<byte[]> wrong = post("Bearer " + WRONG, IssuanceHttp.REQUEST_MEDIA_TYPE, body);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer realm=\"issuer.test\", error=\"invalid_token\"");
        assertThat(wrong.body()).hasSizeLessThan(100);
        assertThat(post("Basic " + ALICE, IssuanceHttp.REQUEST_MEDIA_TYPE, body).statusCode())
                .isEqualTo(401);
        assertThat(post("Bearer", IssuanceHttp.REQUEST_MEDIA_TYPE, body).statusCode())
                .isEqualTo(401);

        try (TokenFetcher fetcher = fetcher(WRONG).build()) {
            assertThatThrownBy(() -> fetcher.next(CHALLENGE)).isInstanceOfSatisfying(TokenFetchException.class, e -> {
                assertThat(e.reason()).isEqualTo(TokenFetchException.Reason.UNAUTHORIZED);
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.getMessage()).contains("check the api key file").doesNotContain(WRONG);
            });
            assertThat(fetcher.available(CHALLENGE)).isZero();
        }
        assertThat(logText()).contains("401").doesNotContain(WRONG);
    }

    @Test
    void exceedingTokensPerHourGets429WithRetryAfter() throws Exception {
        for (int i = 0; i < TOKENS_PER_HOUR; i++) {
            assertThat(post(
                                    "Bearer " + BOB,
                                    IssuanceHttp.REQUEST_MEDIA_TYPE,
                                    tokenRequest().request().encode())
                            .statusCode())
                    .as("request %d", i)
                    .isEqualTo(200);
        }
        HttpResponse<byte[]> limited = post(
                "Bearer " + BOB,
                IssuanceHttp.REQUEST_MEDIA_TYPE,
                tokenRequest().request().encode());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(3500L, 3600L);
        // Other accounts are not affected.
        assertThat(post(
                                "Bearer " + DAVE,
                                IssuanceHttp.REQUEST_MEDIA_TYPE,
                                tokenRequest().request().encode())
                        .statusCode())
                .isEqualTo(200);

        try (TokenFetcher fetcher = fetcher(BOB).batchSize(4).build()) {
            TokenFetchException first = fetchFailure(fetcher);
            assertThat(first.reason()).isEqualTo(TokenFetchException.Reason.RATE_LIMITED);
            assertThat(first.status()).isEqualTo(429);
            assertThat(first.retryAfter()).hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofMinutes(58)));
            // Until then the fetcher does not ask again: the issuer receives nothing more.
            int receivedBefore = proxy.received().length;
            TokenFetchException second = fetchFailure(fetcher);
            assertThat(second.reason()).isEqualTo(TokenFetchException.Reason.RATE_LIMITED);
            assertThat(second.retryAfter())
                    .hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofMinutes(58)));
            assertThat(proxy.received()).hasSize(receivedBefore);
        }
    }

    @Test
    void rejectsBadRequestsAndKeepsServing() throws Exception {
        String auth = "Bearer " + DAVE;
        PendingToken pending = tokenRequest();
        byte[] good = pending.request().encode();

        assertThat(post(auth, "application/octet-stream", good).statusCode()).isEqualTo(415);
        assertThat(post(auth, null, good).statusCode()).isEqualTo(415);
        HttpResponse<byte[]> tooLarge = post(auth, IssuanceHttp.REQUEST_MEDIA_TYPE, new byte[1000]);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        HttpResponse<byte[]> chunked = http.send(
                request(auth, IssuanceHttp.REQUEST_MEDIA_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[1000])))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.statusCode()).isEqualTo(413);

        assertThat(post(auth, IssuanceHttp.REQUEST_MEDIA_TYPE, new byte[0]).statusCode())
                .isEqualTo(422);
        assertThat(post(auth, IssuanceHttp.REQUEST_MEDIA_TYPE, new byte[] {0, 2, 1})
                        .statusCode())
                .isEqualTo(422);
        byte[] shorter = Arrays.copyOf(good, good.length - 1);
        assertThat(post(auth, IssuanceHttp.REQUEST_MEDIA_TYPE, shorter).statusCode())
                .isEqualTo(422);
        byte[] typeOne = good.clone();
        typeOne[1] = 1;
        HttpResponse<byte[]> wrongType = post(auth, IssuanceHttp.REQUEST_MEDIA_TYPE, typeOne);
        assertThat(wrongType.statusCode()).isEqualTo(422);
        assertThat(new String(wrongType.body(), StandardCharsets.UTF_8)).contains("token_type 0x0001 is not supported");
        byte[] otherKey = new TokenRequest(
                        pending.request().truncatedTokenKeyId() ^ 1,
                        pending.request().blindedMsg())
                .encode();
        HttpResponse<byte[]> unknownKey = post(auth, IssuanceHttp.REQUEST_MEDIA_TYPE, otherKey);
        assertThat(unknownKey.statusCode()).isEqualTo(422);
        assertThat(new String(unknownKey.body(), StandardCharsets.UTF_8)).contains("names no key of this issuer");
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);

        // After all that, the same account still gets a token, and it verifies.
        HttpResponse<byte[]> ok = post(auth, "Application/Private-Token-Request; x=1", good);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).contains(IssuanceHttp.RESPONSE_MEDIA_TYPE);
        Token token = PublicTokenIssuance.finalizeToken(pending, TokenResponse.decode(ok.body()));
        PublicTokenIssuance.verify(token, CHALLENGE.digest(), issuer.tokenKey());
    }

    @Test
    void theIssuerNeverSeesTheUnblindedTokenNorLogsApiKeys() throws Exception {
        List<Token> tokens = new ArrayList<>();
        try (TokenFetcher fetcher = fetcher(CAROL).batchSize(4).parallelism(2).build()) {
            for (int i = 0; i < 4; i++) {
                tokens.add(fetcher.next(CHALLENGE));
            }
        }
        // Positive controls: the record holds request bodies, and the log holds this account's requests.
        PendingToken control = tokenRequest();
        assertThat(post(
                                "Bearer " + CAROL,
                                IssuanceHttp.REQUEST_MEDIA_TYPE,
                                control.request().encode())
                        .statusCode())
                .isEqualTo(200);
        byte[] received = proxy.received();
        assertThat(indexOf(received, control.request().blindedMsg())).isNotNegative();
        assertThat(indexOf(received, ("Bearer " + CAROL).getBytes(StandardCharsets.US_ASCII)))
                .isNotNegative();
        String receivedText = new String(received, StandardCharsets.ISO_8859_1);
        String logText = logText();
        assertThat(logText).contains("token request from account carol: 200");

        for (Token token : tokens) {
            PublicTokenIssuance.verify(token, CHALLENGE.digest(), issuer.tokenKey());
            for (byte[] secret :
                    List.of(token.nonce(), token.authenticator(), token.authenticatorInput(), token.encode())) {
                assertThat(indexOf(received, secret))
                        .as("token bytes on the wire")
                        .isNegative();
                assertThat(receivedText).as("token bytes as text on the wire").doesNotContain(encodings(secret));
                assertThat(logText).doesNotContain(encodings(secret));
            }
        }
        for (String key : ALL_KEYS) {
            assertThat(logText).doesNotContain(key);
        }
    }

    @Test
    void servesHttpsWithTheConfiguredCertificate() throws Exception {
        Pki.Credential ca = Pki.newCa("issuer test CA", Duration.ofHours(1));
        Pki.Credential server = Pki.issueServer(
                ca, "issuer", List.of(), List.of(InetAddress.getByName("127.0.0.1")), Duration.ofHours(1));
        Path tlsDir = dir.resolve("tls");
        Files.createDirectories(tlsDir);
        Pki.writeCertificatePem(tlsDir.resolve("tls.crt"), server.chain());
        Pki.writePrivateKeyPem(tlsDir.resolve("tls.key"), server.privateKey());
        Path config = IssuerFixtures.writeConfig(
                tlsDir, "erin:" + ERIN + "\n", "tls: {certificate: tls.crt, private-key: tls.key}\n");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);

        try (IssuerServer https = IssuerServer.start(IssuerConfig.load(config));
                TokenFetcher fetcher = TokenFetcher.builder(
                                URI.create(
                                        "https://127.0.0.1:" + https.address().getPort()),
                                ERIN)
                        .issuerName("issuer.test")
                        .batchSize(1)
                        .httpClient(HttpClient.newBuilder().sslContext(tls).build())
                        .build()) {
            assertThat(https.directoryUri().getScheme()).isEqualTo("https");
            PublicTokenIssuance.verify(fetcher.next(CHALLENGE), CHALLENGE.digest(), https.tokenKey());
            // Plain HTTP on the TLS port gets no directory.
            assertThatThrownBy(() -> http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + https.address().getPort() + IssuanceHttp.DIRECTORY_PATH))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }

    // ---- helpers ----

    static TokenFetcher.Builder fetcher(String apiKey) {
        return TokenFetcher.builder(base, apiKey).issuerName("issuer.test").timeout(Duration.ofSeconds(10));
    }

    static PendingToken tokenRequest() {
        return PublicTokenIssuance.createTokenRequest(CHALLENGE, issuer.tokenKey(), random);
    }

    static HttpRequest.Builder request(String authorization, String contentType) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(base.resolve(IssuanceHttp.REQUEST_PATH)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return b;
    }

    static HttpResponse<byte[]> post(String authorization, String contentType, byte[] body) throws Exception {
        return http.send(
                request(authorization, contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static TokenFetchException fetchFailure(TokenFetcher fetcher) {
        try {
            fetcher.next(CHALLENGE);
        } catch (TokenFetchException e) {
            return e;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the fetch to fail");
    }

    static void awaitAvailable(TokenFetcher fetcher, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (fetcher.available(CHALLENGE) < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(fetcher.available(CHALLENGE)).isEqualTo(count);
    }

    static String logText() {
        return logs.list.stream()
                .map(e -> e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .collect(Collectors.joining("\n"));
    }

    /** The forms bytes take in text: hex either case, base64 and base64url with and without padding. */
    static String[] encodings(byte[] bytes) {
        String hex = HexFormat.of().formatHex(bytes);
        return new String[] {
            hex,
            hex.toUpperCase(Locale.ROOT),
            Base64.getEncoder().encodeToString(bytes),
            Base64.getEncoder().withoutPadding().encodeToString(bytes),
            Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)
        };
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
