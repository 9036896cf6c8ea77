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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.masquerelay.client.TokenFetchException.Reason;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.TokenChallenge;

/** The fetcher's parts that need no issuer; {@code IssuerIT} runs it against a real one. */
class TokenFetcherTest {
    static final String KEY = "9aQeW1c0bXr7u2s8Kp4LzT";

    static TokenChallenge challenge(int type, String issuer) {
        return new TokenChallenge(type, issuer, new byte[0], "ingress.test");
    }

    @Test
    void takesABaseUrlOrTheDirectoryUrl() {
        try (TokenFetcher base = TokenFetcher.builder(URI.create("http://127.0.0.1:8080/"), KEY)
                        .build();
                TokenFetcher bare = TokenFetcher.builder(URI.create("https://issuer.example"), KEY)
                        .build();
                TokenFetcher full = TokenFetcher.builder(URI.create("https://issuer.example/dir/x.json"), KEY)
                        .build()) {
            assertThat(base)
                    .hasToString("TokenFetcher[http://127.0.0.1:8080/.well-known/private-token-issuer-directory]");
            assertThat(bare)
                    .hasToString("TokenFetcher[https://issuer.example/.well-known/private-token-issuer-directory]");
            assertThat(full).hasToString("TokenFetcher[https://issuer.example/dir/x.json]");
            assertThat(base.toString() + bare + full).doesNotContain(KEY);
        }
    }

    @Test
    void refusesPlainHttpToAnythingButLoopbackUnlessAllowed() {
        assertThatThrownBy(() -> TokenFetcher.builder(URI.create("http://issuer.example/"), KEY)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plain HTTP would send the api key");
        assertThatThrownBy(() -> TokenFetcher.builder(URI.create("http://192.0.2.1/"), KEY)
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
        for (String loopback : List.of("http://127.0.0.1:1/", "http://[::1]:1/", "http://localhost:1/")) {
            TokenFetcher.builder(URI.create(loopback), KEY).build().close();
        }
        TokenFetcher.builder(URI.create("http://issuer.example/"), KEY)
                .allowPlainHttp(true)
                .build()
                .close();
    }

    @Test
    void checksItsSettings() {
        URI issuer = URI.create("https://issuer.example/");
        assertThatThrownBy(() -> TokenFetcher.builder(issuer, " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenFetcher.builder(issuer, "a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenFetcher.builder(URI.create("ftp://x/"), KEY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenFetcher.builder(issuer, KEY).batchSize(0))
                .hasMessage("batchSize: 0 (expected: 1-1000)");
        assertThatThrownBy(() -> TokenFetcher.builder(issuer, KEY)
                        .batchSize(4)
                        .lowWatermark(5)
                        .build())
                .hasMessage("lowWatermark: 5 (expected: 1-4)");
        assertThatThrownBy(() -> TokenFetcher.builder(issuer, KEY).timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsRetryAfterAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2025-06-01T12:00:00Z");
        String inTwoMinutes =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(120).atZone(ZoneOffset.UTC));
        String past =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.minusSeconds(5).atZone(ZoneOffset.UTC));
        assertThat(TokenFetcher.retryAfter(Optional.of("3599"), now)).isEqualTo(Duration.ofSeconds(3599));
        assertThat(TokenFetcher.retryAfter(Optional.of(inTwoMinutes), now)).isEqualTo(Duration.ofMinutes(2));
        assertThat(TokenFetcher.retryAfter(Optional.of(past), now)).isEqualTo(Duration.ZERO);
        assertThat(TokenFetcher.retryAfter(Optional.of("soon"), now)).isEqualTo(TokenFetcher.DEFAULT_RETRY_AFTER);
        assertThat(TokenFetcher.retryAfter(Optional.empty(), now)).isEqualTo(TokenFetcher.DEFAULT_RETRY_AFTER);
    }

    @Test
    void selectsThisIssuersTokenTypeTwoChallenge() {
        TokenChallenge ours = challenge(2, "issuer.test");
        String field = "Basic realm=\"x\", "
                + PrivateTokenChallenge.toFieldValue(List.of(
                        new PrivateTokenChallenge(
                                challenge(0x1234, "issuer.test").encode(), null, OptionalLong.empty()),
                        new PrivateTokenChallenge(challenge(2, "other.test").encode(), null, OptionalLong.empty()),
                        new PrivateTokenChallenge(new byte[] {0, 2, 1}, null, OptionalLong.empty()),
                        new PrivateTokenChallenge(ours.encode(), null, OptionalLong.of(10))));
        try (TokenFetcher fetcher = TokenFetcher.builder(URI.create("http://127.0.0.1:1/"), KEY)
                .issuerName("issuer.test")
                .build()) {
            Optional<PrivateTokenChallenge> selected = fetcher.selectChallenge(field);
            assertThat(selected).isPresent();
            assertThat(selected.get().decodeChallenge()).isEqualTo(ours);
            assertThat(fetcher.selectChallenge("Basic realm=\"x\"")).isEmpty();
        }
    }

    @Test
    void refusesChallengesItCannotAnswerWithoutContactingTheIssuer() {
        try (TokenFetcher fetcher = TokenFetcher.builder(URI.create("http://127.0.0.1:1/"), KEY)
                .issuerName("issuer.test")
                .build()) {
            assertThat(failure(() -> fetcher.next(challenge(2, "other.test"))).reason())
                    .isEqualTo(Reason.UNSUPPORTED_CHALLENGE);
            PrivateTokenChallenge grease =
                    new PrivateTokenChallenge(challenge(0x1234, "issuer.test").encode(), null, OptionalLong.empty());
            assertThat(failure(() -> fetcher.next(grease)).reason()).isEqualTo(Reason.UNSUPPORTED_CHALLENGE);
            PrivateTokenChallenge badKey = new PrivateTokenChallenge(
                    challenge(2, "issuer.test").encode(), new byte[] {1, 2, 3}, OptionalLong.empty());
            assertThat(failure(() -> fetcher.next(badKey)).getMessage()).startsWith("challenge does not decode");
            assertThatThrownBy(() -> fetcher.next(challenge(0x1234, "issuer.test")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anUnreachableIssuerFailsAsUnreachable() {
        try (TokenFetcher fetcher = TokenFetcher.builder(URI.create("http://127.0.0.1:1/"), KEY)
                .issuerName("issuer.test")
                .timeout(Duration.ofSeconds(5))
                .build()) {
            TokenFetchException e = failure(() -> fetcher.next(challenge(2, "issuer.test")));
            assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
            assertThat(e.status()).isZero();
            assertThat(e.getMessage()).doesNotContain(KEY);
        }
    }

    @Test
    void closingFailsLaterCalls() throws Exception {
        TokenFetcher fetcher = TokenFetcher.builder(URI.create("http://127.0.0.1:1/"), KEY)
                .issuerName("issuer.test")
                .build();
        fetcher.close();
        PrivateTokenChallenge withKeyless =
                new PrivateTokenChallenge(challenge(2, "issuer.test").encode(), null, OptionalLong.empty());
        assertThatThrownBy(() -> fetcher.nextAsync(withKeyless).get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        TokenFetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
        assertThat(failure(() -> fetcher.next(challenge(2, "issuer.test"))).reason())
                .isEqualTo(Reason.CLOSED);
    }

    interface Call {
        Object run() throws Exception;
    }

    static TokenFetchException failure(Call call) {
        try {
            call.run();
        } catch (TokenFetchException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a TokenFetchException", e);
        }
        throw new AssertionError("expected a TokenFetchException, got a token");
    }
}
