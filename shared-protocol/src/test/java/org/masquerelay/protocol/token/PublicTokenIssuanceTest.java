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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.Hex;

/**
 * The RFC 9578 §6 roles beyond the published vectors: a fresh issuance, and every way a request,
 * response or token can fail to match.
 */
class PublicTokenIssuanceTest {

    private static final Map<String, String> V =
            VectorFile.read("rfc9578-a2-blind-rsa-2048.txt").get(0);

    private static final BlindRsaPrivateKey ISSUER_KEY = TokenIssuanceVectorTest.issuerKey(V);
    private static final TokenKey TOKEN_KEY = TokenKey.of(ISSUER_KEY.publicKey());
    private static final TokenChallenge CHALLENGE = TokenChallenge.decode(Hex.bytes(V.get("token_challenge")));
    private static final byte[] TOKEN = Hex.bytes(V.get("token"));

    /** One generated key serves every test that needs a second issuer. */
    private static final BlindRsaPrivateKey OTHER_ISSUER_KEY = PublicTokenIssuance.generateKey(new SecureRandom());

    @Test
    void issuesAVerifiableTokenWithFreshRandomness() {
        SecureRandom random = new SecureRandom();

        PendingToken pending = PublicTokenIssuance.createTokenRequest(CHALLENGE, TOKEN_KEY, random);
        TokenRequest request = TokenRequest.decode(pending.request().encode());
        TokenResponse response = PublicTokenIssuance.evaluate(request, ISSUER_KEY);
        Token token = PublicTokenIssuance.finalizeToken(pending, TokenResponse.decode(response.encode()));

        PublicTokenIssuance.verify(Token.decode(token.encode()), CHALLENGE.digest(), TOKEN_KEY);
        assertThat(token.nonce()).isEqualTo(pending.nonce());
        assertThat(token.challengeDigest()).isEqualTo(CHALLENGE.digest());
    }

    @Test
    void twoTokensForOneChallengeDiffer() {
        SecureRandom random = new SecureRandom();
        PendingToken first = PublicTokenIssuance.createTokenRequest(CHALLENGE, TOKEN_KEY, random);
        PendingToken second = PublicTokenIssuance.createTokenRequest(CHALLENGE, TOKEN_KEY, random);

        assertThat(first.nonce()).isNotEqualTo(second.nonce());
        assertThat(first.request().blindedMsg()).isNotEqualTo(second.request().blindedMsg());
        assertThat(first.request().truncatedTokenKeyId())
                .isEqualTo(second.request().truncatedTokenKeyId());
    }

    @Test
    void generatedIssuerKeysHaveTheTokenTypeSize() {
        assertThat(OTHER_ISSUER_KEY.modulus().bitLength()).isEqualTo(2048);
        assertThat(TokenKey.of(OTHER_ISSUER_KEY.publicKey()).tokenKeyId()).isNotEqualTo(TOKEN_KEY.tokenKeyId());
    }

    @Test
    void everyFlippedBitOfTheTokenIsRejected() {
        // Bits of token_type fail decoding; every other bit fails verification.
        BitFlips.of(TOKEN)
                .forEach(tampered -> assertThatThrownBy(
                                () -> PublicTokenIssuance.verify(Token.decode(tampered), CHALLENGE.digest(), TOKEN_KEY))
                        .isInstanceOfAny(MalformedTokenException.class, InvalidTokenException.class));
    }

    @ParameterizedTest(name = "bit 0x{1} of byte {0}")
    @CsvSource({
        "2, 80", // first nonce byte
        "33, 01", // last nonce byte
        "353, 01" // last authenticator byte
    })
    void aFlippedNonceOrAuthenticatorBitIsAnInvalidSignature(int index, String mask) {
        byte[] tampered = TOKEN.clone();
        tampered[index] ^= (byte) Integer.parseInt(mask, 16);

        assertThatThrownBy(() -> PublicTokenIssuance.verify(Token.decode(tampered), CHALLENGE.digest(), TOKEN_KEY))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("authenticator is not a valid signature by the issuer key");
    }

    @Test
    void aTokenForAnotherChallengeIsRejected() {
        TokenChallenge other = TokenChallenge.decode(Hex.bytes(
                VectorFile.read("rfc9578-a2-blind-rsa-2048.txt").get(1).get("token_challenge")));

        assertThatThrownBy(() -> PublicTokenIssuance.verify(Token.decode(TOKEN), other.digest(), TOKEN_KEY))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("challenge_digest does not match the challenge");
    }

    @Test
    void aTokenForAnotherKeyIsRejected() {
        TokenKey otherKey = TokenKey.of(OTHER_ISSUER_KEY.publicKey());

        assertThatThrownBy(() -> PublicTokenIssuance.verify(Token.decode(TOKEN), CHALLENGE.digest(), otherKey))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("token_key_id does not match the issuer key");
    }

    @Test
    void aTokenThatClaimsAnotherKeysIdIsRejected() {
        // Right token_key_id and challenge_digest, but signed by another key.
        BlindRsaPrivateKey forger = OTHER_ISSUER_KEY;
        PendingToken pending =
                PublicTokenIssuance.createTokenRequest(CHALLENGE, TokenKey.of(forger.publicKey()), new SecureRandom());
        Token forged =
                PublicTokenIssuance.finalizeToken(pending, PublicTokenIssuance.evaluate(pending.request(), forger));
        Token relabelled =
                new Token(forged.nonce(), forged.challengeDigest(), TOKEN_KEY.tokenKeyId(), forged.authenticator());

        assertThatThrownBy(() -> PublicTokenIssuance.verify(relabelled, CHALLENGE.digest(), TOKEN_KEY))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("authenticator is not a valid signature by the issuer key");
    }

    @Test
    void clientRefusesAChallengeOfAnotherType() {
        TokenChallenge typeOne = new TokenChallenge(
                0x0001, CHALLENGE.issuerName(), CHALLENGE.redemptionContext(), CHALLENGE.originInfo());

        assertThatThrownBy(() -> PublicTokenIssuance.createTokenRequest(typeOne, TOKEN_KEY, new SecureRandom()))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("TokenChallenge token_type 0x0001 is not supported (expected: 0x0002)");
    }

    @Test
    void issuerRefusesARequestForAnotherKey() {
        TokenRequest request = TokenRequest.decode(Hex.bytes(V.get("token_request")));
        TokenRequest misdirected = new TokenRequest(request.truncatedTokenKeyId() ^ 0x01, request.blindedMsg());

        assertThatThrownBy(() -> PublicTokenIssuance.evaluate(misdirected, ISSUER_KEY))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage(String.format(
                        "truncated_token_key_id 0x%02x does not match the issuer key (0x%02x)",
                        misdirected.truncatedTokenKeyId(), request.truncatedTokenKeyId()));
    }

    @Test
    void clientRejectsATamperedResponse() {
        PendingToken pending = PublicTokenIssuance.createTokenRequest(CHALLENGE, TOKEN_KEY, new SecureRandom());
        byte[] blindSig =
                PublicTokenIssuance.evaluate(pending.request(), ISSUER_KEY).encode();
        blindSig[17] ^= 0x20;

        assertThatThrownBy(() -> PublicTokenIssuance.finalizeToken(pending, TokenResponse.decode(blindSig)))
                .isInstanceOfSatisfying(
                        BlindRsaException.class,
                        e -> assertThat(e.reason()).isEqualTo(BlindRsaException.Reason.INVALID_SIGNATURE));
    }

    @Test
    void clientRejectsTheResponseToAnotherRequest() {
        SecureRandom random = new SecureRandom();
        PendingToken pending = PublicTokenIssuance.createTokenRequest(CHALLENGE, TOKEN_KEY, random);
        PendingToken other = PublicTokenIssuance.createTokenRequest(CHALLENGE, TOKEN_KEY, random);
        TokenResponse response = PublicTokenIssuance.evaluate(other.request(), ISSUER_KEY);

        assertThatThrownBy(() -> PublicTokenIssuance.finalizeToken(pending, response))
                .isInstanceOf(BlindRsaException.class)
                .hasMessage("invalid signature: RSASSA-PSS-VERIFY rejected the signature");
    }

    @Test
    void pendingTokenHidesTheInverse() {
        PendingToken pending = PublicTokenIssuance.createTokenRequest(CHALLENGE, TOKEN_KEY, new SecureRandom());

        assertThat(pending.toString())
                .doesNotContain(pending.inv().toString())
                .doesNotContain(pending.inv().toString(16))
                .startsWith("PendingToken[TokenRequest[truncatedTokenKeyId=0x");
    }
}
