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

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.Hex;

/**
 * The PrivateToken authentication scheme of RFC 9577 §2: challenges in {@code WWW-Authenticate}
 * and {@code Proxy-Authenticate}, credentials in {@code Authorization} and {@code
 * Proxy-Authorization}.
 */
class PrivateTokenHeaderTest {

    private static final List<Map<String, String>> HEADER_VECTORS = headerVectors();

    private static final Map<String, String> ISSUANCE =
            VectorFile.read("rfc9578-a2-blind-rsa-2048.txt").get(0);

    private static final byte[] TOKEN = Hex.bytes(ISSUANCE.get("token"));

    @ParameterizedTest(name = "RFC 9577 A.2 vector {0}")
    @CsvSource({"0, 1", "1, 2", "2, 2"})
    void parsesTheRfc9577HeaderVectors(int index, int privateTokenChallenges) {
        Map<String, String> v = HEADER_VECTORS.get(index);

        List<PrivateTokenChallenge> challenges = PrivateTokenChallenge.parse(v.get("WWW-Authenticate"));

        assertThat(challenges).hasSize(privateTokenChallenges);
        for (int i = 0; i < challenges.size(); i++) {
            PrivateTokenChallenge challenge = challenges.get(i);
            assertThat(challenge.tokenType()).isEqualTo(Integer.decode(v.get("token-type-" + i)));
            assertThat(challenge.challenge()).isEqualTo(Hex.bytes(v.get("token-challenge-" + i)));
            assertThat(challenge.tokenKey()).isEqualTo(Hex.bytes(v.get("token-key-" + i)));
            String maxAge = v.get("max-age-" + i);
            assertThat(challenge.maxAge())
                    .isEqualTo(maxAge == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(maxAge)));
        }
    }

    @Test
    void firstRfc9577VectorCarriesATokenType2ChallengeAndKey() {
        PrivateTokenChallenge challenge = PrivateTokenChallenge.parse(
                        HEADER_VECTORS.get(0).get("WWW-Authenticate"))
                .get(0);

        assertThat(challenge.decodeChallenge().issuerName()).isEqualTo("issuer.example");
        assertThat(challenge.decodeChallenge().originNames()).containsExactly("origin.example");
        assertThat(TokenKey.decode(challenge.tokenKey()).encode()).isEqualTo(challenge.tokenKey());
    }

    @Test
    void thirdRfc9577VectorLeavesOnlyGreaseAndTypeOneAfterBasicIsSkipped() {
        List<PrivateTokenChallenge> challenges =
                PrivateTokenChallenge.parse(HEADER_VECTORS.get(2).get("WWW-Authenticate"));

        assertThat(challenges).extracting(PrivateTokenChallenge::tokenType).containsExactly(0, 1);
    }

    @Test
    void formatsWhatItParses() {
        Map<String, String> v = HEADER_VECTORS.get(1);
        List<PrivateTokenChallenge> challenges = PrivateTokenChallenge.parse(v.get("WWW-Authenticate"));

        String formatted = PrivateTokenChallenge.toFieldValue(challenges);

        assertThat(formatted)
                .startsWith("PrivateToken challenge=\"AAIADmlzc3Vlci5leGFtcGxlII")
                .contains("\", token-key=\"MIIBUjA9BgkqhkiG9w0BAQow")
                .contains(", max-age=10, PrivateToken challenge=\"AAEA");
        assertThat(PrivateTokenChallenge.parse(formatted)).isEqualTo(challenges);
    }

    @Test
    void formatsAChallengeForTheRelay() {
        TokenChallenge challenge = TokenChallenge.decode(Hex.bytes(ISSUANCE.get("token_challenge")));
        TokenKey key = TokenKey.decode(Hex.bytes(ISSUANCE.get("pkS")));

        PrivateTokenChallenge header = PrivateTokenChallenge.of(challenge, key, OptionalLong.empty());

        assertThat(header.toFieldValue())
                .isEqualTo("PrivateToken challenge=\""
                        + Base64.getUrlEncoder().encodeToString(challenge.encode())
                        + "\", token-key=\""
                        + Base64.getUrlEncoder().encodeToString(key.encode())
                        + "\"");
        assertThat(PrivateTokenChallenge.parse(header.toFieldValue())).containsExactly(header);
    }

    @Test
    void maxAgeThatParseWouldRefuseCannotBeWritten() {
        // Found by a property: max-age=9223372036854775807 was written, then refused by parse.
        byte[] challenge = new TokenChallenge(2, "a", new byte[0], "").encode();
        long largest = PrivateTokenChallenge.MAX_MAX_AGE;
        PrivateTokenChallenge longest = new PrivateTokenChallenge(challenge, null, OptionalLong.of(largest));

        assertThat(PrivateTokenChallenge.parse(longest.toFieldValue())).containsExactly(longest);
        for (long tooLarge : new long[] {largest + 1, Long.MAX_VALUE}) {
            OptionalLong maxAge = OptionalLong.of(tooLarge);
            assertThatThrownBy(() -> new PrivateTokenChallenge(challenge, null, maxAge))
                    .isInstanceOf(MalformedTokenException.class)
                    .hasMessage(
                            "PrivateToken challenge list: max-age " + tooLarge + " (expected: 0-999999999999999999)");
        }
    }

    @Test
    void tokenKeyAndMaxAgeAreOptional() {
        String value = "PrivateToken challenge=\"AAIAAWEAAAA=\"";

        PrivateTokenChallenge challenge = PrivateTokenChallenge.parse(value).get(0);

        assertThat(challenge.tokenKey()).isNull();
        assertThat(challenge.maxAge()).isEmpty();
        assertThat(challenge.decodeChallenge()).isEqualTo(new TokenChallenge(2, "a", new byte[0], ""));
        assertThat(challenge.toFieldValue()).isEqualTo(value);
    }

    @Test
    void acceptsTheSyntaxRfc9110Allows() {
        // Case-insensitive scheme and names, token or quoted-string values, quoted-pairs,
        // spaces around '=', empty list elements, a realm and unknown parameters.
        String value = ", Basic realm=\"x\" , privatetoken Realm=a,CHALLENGE = \"AAIA\\AWEAAAA=\" ,,"
                + " unknown=\"\\\"x\\\"\", Max-Age=\"7\", Negotiate, Bearer abc/+.~==";

        List<PrivateTokenChallenge> challenges = PrivateTokenChallenge.parse(value);

        assertThat(challenges)
                .containsExactly(new PrivateTokenChallenge(Hex.bytes("0002000161000000"), null, OptionalLong.of(7)));
    }

    @Test
    void acceptsAnUnquotedBase64UrlValueWithoutPadding() {
        // 0x0002 0x0001 'a' 0x00 0x0000 0x00: nine bytes need no padding, so a token works.
        PrivateTokenChallenge challenge = PrivateTokenChallenge.parse("PrivateToken challenge=AAIAAWEAAAAA")
                .get(0);

        assertThat(challenge.challenge()).isEqualTo(Hex.bytes("000200016100000000"));
    }

    @Test
    void returnsNothingWhenNoChallengeIsPrivateToken() {
        assertThat(PrivateTokenChallenge.parse("Basic realm=\"x\", Bearer")).isEmpty();
        assertThat(PrivateTokenChallenge.parse("")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            PrivateToken                                          | PrivateToken challenge list: "challenge" parameter is missing
            PrivateToken token-key="AQ=="                         | PrivateToken challenge list: "challenge" parameter is missing
            PrivateToken AAIAAWEAAAA=                             | PrivateToken challenge list: PrivateToken takes auth-params, not a token68
            PrivateToken challenge="AAIAAWEAAAA"                  | PrivateToken challenge list: challenge: base64url length 11 is not a multiple of 4 (padding is required)
            PrivateToken challenge="AAIAAWEAAAA+"                 | PrivateToken challenge list: challenge: not base64url (RFC 4648 §5)
            PrivateToken challenge="AAIAAWEAAAB="                 | PrivateToken challenge list: challenge: base64url is not in canonical form
            PrivateToken challenge="AA=="                         | PrivateToken challenge list: challenge of 1 bytes has no token_type
            PrivateToken challenge="AAIAAWEAAAA=", token-key="AQ" | PrivateToken challenge list: token-key: base64url length 2 is not a multiple of 4 (padding is required)
            PrivateToken challenge="AAIAAWEAAAA=", max-age=-1     | PrivateToken challenge list: max-age must be 1 to 18 decimal digits
            PrivateToken challenge="AAIAAWEAAAA=", max-age="1.5"  | PrivateToken challenge list: max-age must be 1 to 18 decimal digits
            PrivateToken challenge="AAIAAWEAAAA=", max-age=""     | PrivateToken challenge list: max-age must be 1 to 18 decimal digits
            PrivateToken challenge="AAIAAWEAAAA=", max-age=1234567890123456789 | PrivateToken challenge list: max-age must be 1 to 18 decimal digits
            PrivateToken challenge="AAIAAWEAAAA=", challenge="AAIAAWEAAAA=" | PrivateToken challenge list: parameter "challenge" given twice at offset 63
            PrivateToken challenge="AAIAAWEAAAA=" realm=x         | PrivateToken challenge list: expected ',' after a parameter at offset 38
            PrivateToken challenge="AAIAAWEAAAA=                  | PrivateToken challenge list: unterminated quoted-string at offset 36
            PrivateToken challenge=, max-age=1                    | PrivateToken challenge list: expected a space after the auth-scheme at offset 32
            PrivateToken max-age=1, challenge=                    | PrivateToken challenge list: expected a parameter value at offset 34
            PrivateToken	challenge="AAIAAWEAAAA="               | PrivateToken challenge list: expected a space after the auth-scheme at offset 13
            PrivateToken challenge=AAIAAWEAAAA=                   | PrivateToken challenge list: expected ',' after a parameter at offset 34
            Basic realm="x", =x                                   | PrivateToken challenge list: expected an auth-scheme at offset 17
            Basic a, b=c                                          | PrivateToken challenge list: expected a space after the auth-scheme at offset 10
            """)
    void rejectsMalformedChallenges(String value, String message) {
        assertThatThrownBy(() -> PrivateTokenChallenge.parse(value))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsControlCharactersInQuotedStrings() {
        assertThatThrownBy(() -> PrivateTokenChallenge.parse("PrivateToken challenge=\"AA\nIA\""))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("PrivateToken challenge list: character not allowed in a quoted-string at offset 26");
        assertThatThrownBy(() -> PrivateTokenChallenge.parse("PrivateToken challenge=\"AA\u20acIA\""))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("PrivateToken challenge list: character not allowed in a quoted-string at offset 26");
    }

    @Test
    void rejectsFieldValuesOverTheSizeLimit() {
        String padding = " ".repeat(PrivateTokenChallenge.MAX_FIELD_LENGTH);
        String atLimit = ("PrivateToken challenge=\"AAIAAWEAAAA=\"" + padding)
                .substring(0, PrivateTokenChallenge.MAX_FIELD_LENGTH);

        assertThat(PrivateTokenChallenge.parse(atLimit)).hasSize(1);
        assertThatThrownBy(() -> PrivateTokenChallenge.parse(atLimit + " "))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("PrivateToken challenge list length 8193 exceeds limit 8192");
        assertThatThrownBy(() -> PrivateTokenCredentials.parse("PrivateToken token=\"" + padding + "\""))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("PrivateToken credentials length 8213 exceeds limit 8192");
    }

    @Test
    void credentialsCarryTheToken() {
        Token token = Token.decode(TOKEN);
        PrivateTokenCredentials credentials = PrivateTokenCredentials.of(token);

        String value = credentials.toFieldValue();

        assertThat(value)
                .isEqualTo("PrivateToken token=\"" + Base64.getUrlEncoder().encodeToString(TOKEN) + "\"");
        assertThat(PrivateTokenCredentials.parse(value)).isEqualTo(credentials);
        assertThat(PrivateTokenCredentials.parse(value).decodeToken()).isEqualTo(token);
    }

    @Test
    void credentialsIgnoreUnknownParameters() {
        String token = Base64.getUrlEncoder().encodeToString(TOKEN);

        PrivateTokenCredentials credentials =
                PrivateTokenCredentials.parse("privatetoken future=1, TOKEN=\"" + token + "\", x=\"y\"");

        assertThat(credentials.token()).isEqualTo(TOKEN);
    }

    @Test
    void credentialsWithAFlippedTokenBitParseButDoNotVerify() {
        byte[] tampered = TOKEN.clone();
        tampered[40] ^= 0x04;
        PrivateTokenCredentials credentials =
                PrivateTokenCredentials.parse(new PrivateTokenCredentials(tampered).toFieldValue());
        TokenChallenge challenge = TokenChallenge.decode(Hex.bytes(ISSUANCE.get("token_challenge")));
        TokenKey key = TokenKey.decode(Hex.bytes(ISSUANCE.get("pkS")));

        assertThatThrownBy(() -> PublicTokenIssuance.verify(credentials.decodeToken(), challenge.digest(), key))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("challenge_digest does not match the challenge");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                          | PrivateToken credentials: expected an auth-scheme at offset 0
            Basic dXNlcjpwYXNz                          | PrivateToken credentials: auth-scheme is not PrivateToken
            PrivateToken                                | PrivateToken credentials: "token" parameter is missing
            PrivateToken AAIA                           | PrivateToken credentials: PrivateToken takes auth-params, not a token68
            PrivateToken token="AAIA", PrivateToken x=y | PrivateToken credentials: more than one credentials at offset 27
            PrivateToken token="AAIA", token="AAIA"     | PrivateToken credentials: parameter "token" given twice at offset 39
            PrivateToken token="AAI"                    | PrivateToken credentials: token: base64url length 3 is not a multiple of 4 (padding is required)
            PrivateToken token="AA/A"                   | PrivateToken credentials: token: not base64url (RFC 4648 §5)
            """)
    void rejectsMalformedCredentials(String value, String message) {
        assertThatThrownBy(() -> PrivateTokenCredentials.parse(value))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage(message);
    }

    @Test
    void credentialsWithAMalformedTokenFailToDecode() {
        PrivateTokenCredentials shortToken = PrivateTokenCredentials.parse("PrivateToken token=\"AAIA\"");

        assertThatThrownBy(shortToken::decodeToken)
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("Token length 3 (expected: 354)");
    }

    /** Each RFC 9577 A.2 vector is a block of parameters, a blank line, then the header. */
    private static List<Map<String, String>> headerVectors() {
        List<Map<String, String>> blocks = VectorFile.read("rfc9577-a2-http-headers.txt");
        assertThat(blocks).hasSize(6);
        List<Map<String, String>> vectors = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i += 2) {
            Map<String, String> vector = new LinkedHashMap<>(blocks.get(i));
            assertThat(blocks.get(i + 1)).containsOnlyKeys("WWW-Authenticate");
            vector.putAll(blocks.get(i + 1));
            vectors.add(vector);
        }
        return vectors;
    }
}
