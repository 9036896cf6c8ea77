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
package org.masquerelay.protocol.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.masquerelay.protocol.Hex;

/**
 * RFC 9578 Appendix A.2, "Issuance Protocol 2 - Blind RSA, 2048": each of the five vectors is
 * replayed through the client, issuer and verifier, and every published value is reproduced.
 */
class TokenIssuanceVectorTest {

    private static final List<Map<String, String>> VECTORS = VectorFile.read("rfc9578-a2-blind-rsa-2048.txt");

    static Stream<Integer> vectors() {
        assertThat(VECTORS).hasSize(5);
        return IntStream.range(0, VECTORS.size()).boxed();
    }

    @ParameterizedTest(name = "test vector {0}")
    @MethodSource("vectors")
    void issuerKeyEncodesToPkS(int index) {
        Map<String, String> v = VECTORS.get(index);
        TokenKey tokenKey = TokenKey.of(issuerKey(v).publicKey());

        assertThat(ByteBufUtil.hexDump(tokenKey.encode())).isEqualTo(v.get("pkS"));
        assertThat(TokenKey.decode(Hex.bytes(v.get("pkS")))).isEqualTo(tokenKey);
    }

    @ParameterizedTest(name = "test vector {0}")
    @MethodSource("vectors")
    void challengeRoundTrips(int index) {
        Map<String, String> v = VECTORS.get(index);
        byte[] encoded = Hex.bytes(v.get("token_challenge"));

        TokenChallenge challenge = TokenChallenge.decode(encoded);

        assertThat(challenge.tokenType()).isEqualTo(PublicTokenIssuance.TOKEN_TYPE);
        assertThat(challenge.encode()).isEqualTo(encoded);
    }

    @ParameterizedTest(name = "test vector {0}")
    @MethodSource("vectors")
    void clientCreatesTheTokenRequest(int index) {
        Map<String, String> v = VECTORS.get(index);
        ScriptedSecureRandom random = vectorRandom(v);

        PendingToken pending = createRequest(v, random);

        assertThat(ByteBufUtil.hexDump(pending.request().encode())).isEqualTo(v.get("token_request"));
        assertThat(pending.nonce()).isEqualTo(Hex.bytes(v.get("nonce")));
        assertThat(random.exhausted()).isTrue();
    }

    @ParameterizedTest(name = "test vector {0}")
    @MethodSource("vectors")
    void issuerEvaluatesTheTokenRequest(int index) {
        Map<String, String> v = VECTORS.get(index);
        TokenRequest request = TokenRequest.decode(Hex.bytes(v.get("token_request")));

        TokenResponse response = PublicTokenIssuance.evaluate(request, issuerKey(v));

        assertThat(ByteBufUtil.hexDump(response.encode())).isEqualTo(v.get("token_response"));
    }

    @ParameterizedTest(name = "test vector {0}")
    @MethodSource("vectors")
    void clientFinalizesTheToken(int index) {
        Map<String, String> v = VECTORS.get(index);
        PendingToken pending = createRequest(v, vectorRandom(v));
        TokenResponse response = TokenResponse.decode(Hex.bytes(v.get("token_response")));

        Token token = PublicTokenIssuance.finalizeToken(pending, response);

        assertThat(ByteBufUtil.hexDump(token.encode())).isEqualTo(v.get("token"));
    }

    @ParameterizedTest(name = "test vector {0}")
    @MethodSource("vectors")
    void verifierAcceptsTheToken(int index) {
        Map<String, String> v = VECTORS.get(index);
        Token token = Token.decode(Hex.bytes(v.get("token")));
        TokenChallenge challenge = TokenChallenge.decode(Hex.bytes(v.get("token_challenge")));
        TokenKey tokenKey = TokenKey.decode(Hex.bytes(v.get("pkS")));

        PublicTokenIssuance.verify(token, challenge.digest(), tokenKey);

        assertThat(token.encode()).isEqualTo(Hex.bytes(v.get("token")));
        assertThat(token.nonce()).isEqualTo(Hex.bytes(v.get("nonce")));
        assertThat(token.tokenKeyId()).isEqualTo(tokenKey.tokenKeyId());
    }

    private static PendingToken createRequest(Map<String, String> v, ScriptedSecureRandom random) {
        TokenChallenge challenge = TokenChallenge.decode(Hex.bytes(v.get("token_challenge")));
        TokenKey tokenKey = TokenKey.decode(Hex.bytes(v.get("pkS")));
        return PublicTokenIssuance.createTokenRequest(challenge, tokenKey, random);
    }

    /** Replays nonce, salt and the blind r in the order the client draws them. */
    private static ScriptedSecureRandom vectorRandom(Map<String, String> v) {
        return new ScriptedSecureRandom(Hex.bytes(v.get("nonce")), Hex.bytes(v.get("salt")), blindFactor(v));
    }

    private static byte[] blindFactor(Map<String, String> v) {
        BigInteger r = new BigInteger(v.get("blind"), 16);
        return BigIntegers.asUnsignedByteArray(PublicTokenIssuance.NK, r);
    }

    /** skS is the hex of a PEM file; the key is the base64 between the armour lines. */
    static BlindRsaPrivateKey issuerKey(Map<String, String> v) {
        String pem = new String(Hex.bytes(v.get("skS")), StandardCharsets.US_ASCII);
        String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        return BlindRsaPrivateKey.decodePkcs8(Base64.getDecoder().decode(base64));
    }
}
