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
package org.masquerelay.ingress.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.IngressTokenFixtures;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.PrivateTokenCredentials;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.Token;
import org.masquerelay.protocol.token.TokenChallenge;
import org.masquerelay.protocol.token.TokenKey;

/**
 * The ingress's Privacy Pass check (RFC 9577, token type 0x0002 of RFC 9578; docs/architecture.md
 * §5) with real blind-RSA tokens: every refusal is a 407 carrying the same challenge, only a
 * token for this ingress's exact challenge and a trusted key is admitted, and it is admitted
 * once.
 *
 * <p>The issuer and origin names are those of RFC 9578 Appendix A.2 test vector 2 (empty
 * redemption context, origin_info {@code origin.example}), so the RFC's own token is admitted
 * too.
 */
class TokenAuthenticatorTest {
    private static final String ISSUER = "issuer.example";
    private static final String ORIGIN = "origin.example";
    private static final TokenChallenge CHALLENGE =
            new TokenChallenge(PublicTokenIssuance.TOKEN_TYPE, ISSUER, new byte[0], ORIGIN);

    private static final BlindRsaPrivateKey ISSUER_KEY = IngressTokenFixtures.rfcIssuerKey();
    private static final TokenKey TOKEN_KEY = TokenKey.of(ISSUER_KEY.publicKey());
    /** A second issuer: generating a 2048-bit key takes about a second, so one serves the class. */
    private static final BlindRsaPrivateKey OTHER_KEY = PublicTokenIssuance.generateKey(new SecureRandom());

    private final RecordingStore spent = new RecordingStore();
    private final TokenAuthenticator authenticator = new TokenAuthenticator(ISSUER, ORIGIN, List.of(TOKEN_KEY), spent);

    @Test
    void aMissingTokenIsA407WithTheChallenge() {
        RelayException e = refusal(authenticator, new DefaultHttp3Headers());

        assertThat(e.status()).isEqualTo(407);
        assertThat(e.type()).isEqualTo(ProxyErrorType.HTTP_REQUEST_DENIED);
        assertThat(e.side()).isEqualTo(RelayException.Side.DOWNSTREAM);
        assertThat(e.details()).isEqualTo("token required");
        assertThat(e.proxyAuthenticate()).isEqualTo(authenticator.challengeField());
        assertThat(spent.calls).isEmpty();
    }

    @Test
    void theChallengeNamesThisIngressWithAnEmptyContextOncePerTrustedKey() {
        TokenKey other = TokenKey.of(OTHER_KEY.publicKey());
        TokenAuthenticator twoKeys = new TokenAuthenticator(ISSUER, ORIGIN, List.of(other, TOKEN_KEY), spent);

        List<PrivateTokenChallenge> challenges = PrivateTokenChallenge.parse(twoKeys.challengeField());

        // RFC 9577 §2.1 lets one field carry several challenges: one per trusted key, in the
        // configured order, the current key first.
        assertThat(challenges).hasSize(2);
        assertThat(challenges)
                .allSatisfy(c -> {
                    assertThat(c.tokenType()).isEqualTo(PublicTokenIssuance.TOKEN_TYPE);
                    assertThat(c.decodeChallenge()).isEqualTo(CHALLENGE);
                    assertThat(c.maxAge()).isEmpty();
                })
                .extracting(c -> TokenKey.decode(c.tokenKey()))
                .containsExactly(other, TOKEN_KEY);
    }

    @Test
    void aTokenForTheChallengeAClientReadFromThe407IsAdmitted() {
        // The client's side of RFC 9577 §2.1-§2.2: parse the 407, fetch a token, retry.
        PrivateTokenChallenge offered = PrivateTokenChallenge.parse(
                        refusal(authenticator, new DefaultHttp3Headers()).proxyAuthenticate())
                .get(0);
        Token token = IngressTokenFixtures.issue(offered.decodeChallenge(), ISSUER_KEY);

        assertThatCode(() -> authenticator.admit(withCredentials(token))).doesNotThrowAnyException();
        assertThat(spent.calls).containsExactly(hex(token.tokenKeyId()) + "/" + hex(token.nonce()));
    }

    @Test
    void theRfc9578TestVectorTokenIsAdmitted() {
        Map<String, String> v = IngressTokenFixtures.vector(1);
        assertThat(TokenChallenge.decode(Hex.bytes(v.get("token_challenge"))))
                .as("RFC 9578 A.2 vector 2 is this ingress's challenge")
                .isEqualTo(CHALLENGE);

        Http3Headers request = withField(new PrivateTokenCredentials(Hex.bytes(v.get("token"))).toFieldValue());

        assertThatCode(() -> authenticator.admit(request)).doesNotThrowAnyException();
    }

    @Test
    void theSchemeIsCaseInsensitive() {
        // RFC 9110 §11.1: auth-scheme is a case-insensitive token.
        String field = PrivateTokenCredentials.of(IngressTokenFixtures.issue(CHALLENGE, ISSUER_KEY))
                .toFieldValue()
                .replace("PrivateToken", "privatetoken");

        assertThatCode(() -> authenticator.admit(withField(field))).doesNotThrowAnyException();
    }

    @Test
    void aSpentTokenIsRefused() {
        Token token = IngressTokenFixtures.issue(CHALLENGE, ISSUER_KEY);
        authenticator.admit(withCredentials(token));

        RelayException again = refusal(authenticator, withCredentials(token));

        assertRefusal(again, "token already spent");
        assertThat(spent.calls).hasSize(2).containsOnly(hex(token.tokenKeyId()) + "/" + hex(token.nonce()));
    }

    @Test
    void aTokenSpentAtOneIngressIsRefusedAtAnotherSharingTheStore() {
        // SpentTokenStore: a fleet shares one store, so a token is redeemed once across it.
        TokenAuthenticator sibling = new TokenAuthenticator(ISSUER, ORIGIN, List.of(TOKEN_KEY), spent);
        Token token = IngressTokenFixtures.issue(CHALLENGE, ISSUER_KEY);
        authenticator.admit(withCredentials(token));

        assertRefusal(refusal(sibling, withCredentials(token)), "token already spent");
    }

    @Test
    void aTokenOfAKeyThatIsNotTrustedIsRefused() {
        Token foreign = IngressTokenFixtures.issue(CHALLENGE, OTHER_KEY);

        assertRefusal(refusal(authenticator, withCredentials(foreign)), "unknown token key");
        assertThat(spent.calls).isEmpty();
    }

    @Test
    void aTokenThatClaimsTheTrustedKeyButIsSignedByAnotherIsRefused() {
        Token forged = IngressTokenFixtures.issue(CHALLENGE, OTHER_KEY);
        Token relabelled =
                new Token(forged.nonce(), forged.challengeDigest(), TOKEN_KEY.tokenKeyId(), forged.authenticator());

        assertRefusal(refusal(authenticator, withCredentials(relabelled)), "invalid token");
        assertThat(spent.calls).isEmpty();
    }

    @Test
    void aForgeryCarryingAValidTokensNonceDoesNotSpendIt() {
        // Verification comes before the spent-set: otherwise anyone who saw a nonce could burn it.
        Token genuine = IngressTokenFixtures.issue(CHALLENGE, ISSUER_KEY);
        byte[] authenticatorBytes = genuine.authenticator();
        authenticatorBytes[authenticatorBytes.length - 1] ^= 0x01;
        Token forged = new Token(genuine.nonce(), genuine.challengeDigest(), genuine.tokenKeyId(), authenticatorBytes);

        assertRefusal(refusal(authenticator, withCredentials(forged)), "invalid token");
        assertThat(spent.calls).isEmpty();
        assertThatCode(() -> authenticator.admit(withCredentials(genuine))).doesNotThrowAnyException();
    }

    static Stream<Arguments> otherChallenges() {
        byte[] context = new byte[TokenChallenge.REDEMPTION_CONTEXT_LENGTH];
        new SecureRandom().nextBytes(context);
        return Stream.of(
                Arguments.of("another issuer", new TokenChallenge(2, "issuer.other", new byte[0], ORIGIN)),
                Arguments.of("another origin", new TokenChallenge(2, ISSUER, new byte[0], "origin.other")),
                Arguments.of("no origin info", new TokenChallenge(2, ISSUER, new byte[0], "")),
                Arguments.of(
                        "an origin list with this one",
                        new TokenChallenge(2, ISSUER, new byte[0], ORIGIN + ",origin.other")),
                Arguments.of("a redemption context", new TokenChallenge(2, ISSUER, context, ORIGIN)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherChallenges")
    void aGenuineTokenForAnotherChallengeIsRefused(String what, TokenChallenge other) {
        // RFC 9577 §2.2.3 / RFC 9578 §6.4: challenge_digest must be SHA-256 of our challenge.
        Token token = IngressTokenFixtures.issue(other, ISSUER_KEY);

        assertRefusal(refusal(authenticator, withCredentials(token)), "invalid token");
        assertThat(spent.calls).isEmpty();
    }

    static Stream<Arguments> malformedFields() {
        byte[] valid = IngressTokenFixtures.issue(CHALLENGE, ISSUER_KEY).encode();
        byte[] typeOne = valid.clone();
        typeOne[1] = 0x01;
        byte[] truncated = Arrays.copyOf(valid, valid.length - 1);
        String base64 = Base64.getUrlEncoder().encodeToString(valid);
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("another scheme", "Bearer " + base64),
                Arguments.of("no token parameter", "PrivateToken"),
                Arguments.of("a token68 instead of auth-params", "PrivateToken " + base64),
                Arguments.of("not base64url", "PrivateToken token=\"" + base64 + "!\""),
                Arguments.of("token type 0x0001", new PrivateTokenCredentials(typeOne).toFieldValue()),
                Arguments.of("truncated token", new PrivateTokenCredentials(truncated).toFieldValue()),
                Arguments.of(
                        "two credentials",
                        "PrivateToken token=\"" + base64 + "\", PrivateToken token=\"" + base64 + "\""),
                Arguments.of(
                        "longer than the field limit",
                        "PrivateToken token=\"" + base64 + "\", x=\""
                                + "a".repeat(PrivateTokenChallenge.MAX_FIELD_LENGTH) + "\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFields")
    void aMalformedFieldIsA407(String what, String field) {
        assertRefusal(refusal(authenticator, withField(field)), "malformed token");
        assertThat(spent.calls).isEmpty();
    }

    /** A 407 for {@code why} with the ingress's challenge, naming nothing from the request. */
    private void assertRefusal(RelayException e, String why) {
        assertThat(e.status()).isEqualTo(RelayException.PROXY_AUTHENTICATION_REQUIRED);
        assertThat(e.type()).isEqualTo(ProxyErrorType.HTTP_REQUEST_DENIED);
        assertThat(e.details()).isEqualTo(why);
        assertThat(e.proxyAuthenticate()).isEqualTo(authenticator.challengeField());
    }

    @Test
    void verifyingSpendsNothingAndTheSpendIsTheOneAtomicDecision() {
        Token token = IngressTokenFixtures.issue(CHALLENGE, ISSUER_KEY);
        // A request refused after verification (at a limit, say) leaves the token unspent.
        TokenAuthenticator.Verified first = authenticator.verify(withCredentials(token));
        TokenAuthenticator.Verified second = authenticator.verify(withCredentials(token));
        authenticator.spend(first).toCompletableFuture().join();
        // Two requests that verified the same token before either spent it: one wins.
        RelayException raced = catchThrowableOfType(RelayException.class, () -> {
            try {
                authenticator.spend(second).toCompletableFuture().join();
            } catch (CompletionException e) {
                throw e.getCause();
            }
        });
        assertRefusal(raced, "token already spent");
        // And a later request with it is refused as well.
        assertRefusal(refusal(authenticator, withCredentials(token)), "token already spent");
    }

    private static RelayException refusal(TokenAuthenticator authenticator, Http3Headers request) {
        RelayException e = catchThrowableOfType(RelayException.class, () -> authenticator.admit(request));
        assertThat(e).as("admit refused the request").isNotNull();
        CharSequence field = request.get("proxy-authorization");
        if (field != null && field.length() > 0) {
            // docs/architecture.md §2: a refusal carries a fixed reason, never the credentials.
            assertThat(e.getMessage()).doesNotContain(field);
        }
        return e;
    }

    private static Http3Headers withCredentials(Token token) {
        return withField(PrivateTokenCredentials.of(token).toFieldValue());
    }

    private static Http3Headers withField(String proxyAuthorization) {
        Http3Headers h = new DefaultHttp3Headers()
                .method("CONNECT")
                .protocol("connect-udp")
                .scheme("https")
                .authority("ingress.example:443")
                .path("/.well-known/masque/udp/192.0.2.1/443/");
        h.set("proxy-authorization", proxyAuthorization);
        return h;
    }

    private static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    /** The in-memory store, recording each {@code markSpent} as {@code keyId/nonce} in hex. */
    private static final class RecordingStore implements SpentTokenStore {
        final List<String> calls = new ArrayList<>();
        private final CaffeineSpentTokenStore store = new CaffeineSpentTokenStore(1_000);

        @Override
        public CompletionStage<Boolean> markSpent(byte[] tokenKeyId, byte[] nonce) {
            calls.add(hex(tokenKeyId) + "/" + hex(nonce));
            return store.markSpent(tokenKeyId, nonce);
        }
    }
}
