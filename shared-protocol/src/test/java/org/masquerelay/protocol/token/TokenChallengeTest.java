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

import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.masquerelay.protocol.Hex;

/** The RFC 9577 §2.1.1 TokenChallenge structure. */
class TokenChallengeTest {

    private static final String CHALLENGE_HEX = "0002" // token_type
            + "000e" // issuer_name length 14
            + "6973737565722e6578616d706c65" // "issuer.example"
            + "20" // redemption_context length 32
            + "476ac2c935f458e9b2d7af32dacfbd22dd6023ef5887a789f1abe004e79bb5bb"
            + "000e" // origin_info length 14
            + "6f726967696e2e6578616d706c65"; // "origin.example"

    private static final byte[] CONTEXT = Hex.bytes("476ac2c935f458e9b2d7af32dacfbd22dd6023ef5887a789f1abe004e79bb5bb");

    static Stream<Map<String, String>> structureVectors() {
        // Vector 6 is a grease token of random bytes, not a TokenChallenge.
        return VectorFile.read("rfc9577-a1-challenge-redemption.txt").stream()
                .filter(v -> v.get("token_type").equals("0002"));
    }

    @ParameterizedTest
    @MethodSource("structureVectors")
    void reproducesTheRfc9577AuthenticatorInputs(Map<String, String> v) {
        TokenChallenge challenge = new TokenChallenge(
                PublicTokenIssuance.TOKEN_TYPE,
                ascii(v.get("issuer_name")),
                Hex.bytes(v.get("redemption_context")),
                ascii(v.get("origin_info")));

        byte[] input = Token.authenticatorInput(
                Hex.bytes(v.get("nonce")), challenge.digest(), Hex.bytes(v.get("token_key_id")));

        assertThat(ByteBufUtil.hexDump(input)).isEqualTo(v.get("token_authenticator_input"));
        assertThat(TokenChallenge.decode(challenge.encode())).isEqualTo(challenge);
    }

    @Test
    void decodesEachField() {
        TokenChallenge challenge = TokenChallenge.decode(Hex.bytes(CHALLENGE_HEX));

        assertThat(challenge.tokenType()).isEqualTo(2);
        assertThat(challenge.issuerName()).isEqualTo("issuer.example");
        assertThat(challenge.redemptionContext()).isEqualTo(CONTEXT);
        assertThat(challenge.originInfo()).isEqualTo("origin.example");
        assertThat(challenge.originNames()).containsExactly("origin.example");
        assertThat(ByteBufUtil.hexDump(challenge.encode())).isEqualTo(CHALLENGE_HEX);
    }

    @Test
    void splitsOriginInfoIntoNames() {
        TokenChallenge challenge = new TokenChallenge(2, "issuer.example", new byte[0], "foo.example,bar.example:8443");

        assertThat(challenge.originNames()).containsExactly("foo.example", "bar.example:8443");
        assertThat(new TokenChallenge(2, "issuer.example", new byte[0], "").originNames())
                .isEmpty();
    }

    @Test
    void keepsOtherTokenTypesForTheCallerToIgnore() {
        byte[] typeOne = Hex.bytes(CHALLENGE_HEX);
        typeOne[1] = 0x01;

        assertThat(TokenChallenge.decode(typeOne).tokenType()).isEqualTo(1);
    }

    @Test
    void contextIsCopied() {
        byte[] context = CONTEXT.clone();
        TokenChallenge challenge = new TokenChallenge(2, "issuer.example", context, "");
        context[0] ^= 1;
        challenge.redemptionContext()[1] ^= 1;

        assertThat(challenge.redemptionContext()).isEqualTo(CONTEXT);
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] full = Hex.bytes(CHALLENGE_HEX);
        for (int length = 0; length < full.length; length++) {
            byte[] prefix = Arrays.copyOf(full, length);

            assertThatThrownBy(() -> TokenChallenge.decode(prefix))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(MalformedTokenException.class)
                    .hasMessageStartingWith("TokenChallenge is truncated in ");
        }
    }

    @Test
    void truncationNamesTheField() {
        assertMalformed("00", "TokenChallenge is truncated in token_type");
        assertMalformed("0002000e6973", "TokenChallenge is truncated in issuer_name (14 bytes declared, 2 left)");
        assertMalformed("0002000161", "TokenChallenge is truncated in redemption_context length");
        assertMalformed("000200016100", "TokenChallenge is truncated in origin_info length");
    }

    @Test
    void trailingBytesAreMalformed() {
        assertMalformed(CHALLENGE_HEX + "00", "TokenChallenge has 1 trailing bytes");
    }

    @Test
    void emptyIssuerNameIsMalformed() {
        assertMalformed("0002" + "0000" + "00" + "0000", "issuer_name is empty");
    }

    @Test
    void redemptionContextOfAnotherLengthIsMalformed() {
        assertMalformed(
                "0002" + "000161" + "05" + "0102030405" + "0000", "redemption_context length 5 (expected: 0 or 32)");
    }

    @Test
    void nonAsciiNamesAreMalformed() {
        assertMalformed("0002" + "0002" + "c3a9" + "00" + "0000", "issuer_name is not ASCII");
        assertMalformed("0002" + "000161" + "00" + "0001" + "ff", "origin_info is not ASCII");
    }

    @Test
    void namesThatAreNotServerNamesAreMalformed() {
        assertBadNames("user@issuer.example", "", "issuer_name must not contain userinfo ('@') (RFC 9577 §2.1.1.1)");
        assertBadNames(
                "issuer example", "", "issuer_name has a character that is not allowed in a server name at offset 6");
        assertBadNames("a,b", "", "issuer_name has a character that is not allowed in a server name at offset 1");
        assertBadNames("issuer.example", "a.example,", "origin_info has an empty server name");
        assertBadNames(
                "issuer.example",
                "a.example, b.example",
                "origin_info has a character that is not allowed in a server name at offset 0");
        assertBadNames(
                "issuer.example", "u@a.example", "origin_info must not contain userinfo ('@') (RFC 9577 §2.1.1.1)");
    }

    @Test
    void constructorRejectsOutOfRangeFields() {
        assertThatThrownBy(() -> new TokenChallenge(0x10000, "issuer.example", new byte[0], ""))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("token_type 65536 (expected: 0-65535)");
        assertThatThrownBy(() -> new TokenChallenge(2, "i".repeat(0x10000), new byte[0], ""))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer_name length 65536 exceeds 65535");
        assertThatThrownBy(() -> new TokenChallenge(2, "issuer.example", new byte[0], "o".repeat(0x10000)))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("origin_info length 65536 exceeds 65535");
    }

    @Test
    void longestNamesRoundTrip() {
        TokenChallenge challenge = new TokenChallenge(2, "i".repeat(0xFFFF), new byte[32], "o".repeat(0xFFFF));

        assertThat(TokenChallenge.decode(challenge.encode())).isEqualTo(challenge);
    }

    private static void assertBadNames(String issuer, String origins, String message) {
        assertThatThrownBy(() -> new TokenChallenge(2, issuer, new byte[0], origins))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage(message);
    }

    private static void assertMalformed(String hex, String message) {
        assertThatThrownBy(() -> TokenChallenge.decode(Hex.bytes(hex)))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage(message);
    }

    private static String ascii(String hex) {
        return new String(Hex.bytes(hex), StandardCharsets.US_ASCII);
    }
}
