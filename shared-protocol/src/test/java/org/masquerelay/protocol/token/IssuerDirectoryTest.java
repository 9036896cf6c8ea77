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

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.Hex;

/** The RFC 9578 §4 issuer directory. */
class IssuerDirectoryTest {

    private static final Map<String, String> V =
            VectorFile.read("rfc9578-a2-blind-rsa-2048.txt").get(0);

    private static final byte[] PK_S = Hex.bytes(V.get("pkS"));

    private static final String PK_S_BASE64URL = Base64.getUrlEncoder().encodeToString(PK_S);

    /** The complete "token-key" that RFC 9578 §4 prints, line breaks removed. */
    private static final String RFC_TOKEN_KEY = "MIIBUjA9BgkqhkiG9w0BAQowMKANMAsGCWCGSAFlAwQCAqEaMBgGCSqGSIb3DQEBCDAL"
            + "BglghkgBZQMEAgKiAwIBMAOCAQ8AMIIBCgKCAQEAmKHGAMyeoJt1pj3n7xTtqAPr_DhZAPhJM7"
            + "Pc8ENR2BzdZwPTTF7KFKms5wt-mL01at0SC-cdBuIj6WYK8Ovz0AyaBuvTvW6SKCh7ZPXEqCGR"
            + "sq5I0nthREtrYkGo113oMVPVp3sy4VHPgzd8KdzTLGzOrjiUOsSFWbjf21iaVjXJ2VdwdS-8O-"
            + "430wkucYjGeOJwi8rWx_ZkcHtav0S67Q_SlExJel6nyRzpuuID9OQm1nxfs1Z4PhWBzt93T2oz"
            + "Tnda3OklF5n0pIXD6bttmTekIw_8Xx2LMis0jfJ1QL99aA-muXRFN4ZUwORrF7cAcCUD_-56_6"
            + "fh9s34FmqBGwIDAQAB";

    @Test
    void parsesTheRfcExampleOnceItIsValidJson() {
        // RFC 9578 §4's example, with its trailing commas removed and real keys filled in.
        String json = """
                 {
                    "issuer-request-uri": "https://issuer.example.net/request",
                    "token-keys": [
                      {
                        "token-type": 2,
                        "token-key": "%s",
                        "not-before": 1686913811
                      },
                      {
                        "token-type": 2,
                        "token-key": "%s"
                      }
                    ]
                 }
                """.formatted(PK_S_BASE64URL, RFC_TOKEN_KEY);

        IssuerDirectory directory = IssuerDirectory.fromJson(json);

        assertThat(directory.issuerRequestUri()).isEqualTo("https://issuer.example.net/request");
        assertThat(directory.tokenKeys())
                .containsExactly(
                        new IssuerDirectory.TokenKeyEntry(2, PK_S, OptionalLong.of(1686913811)),
                        new IssuerDirectory.TokenKeyEntry(
                                2, Base64.getUrlDecoder().decode(RFC_TOKEN_KEY), OptionalLong.empty()));
        assertThat(TokenKey.decode(directory.tokenKeys().get(0).tokenKey()).encode())
                .isEqualTo(PK_S);
        assertThat(TokenKey.decode(directory.tokenKeys().get(1).tokenKey())
                        .publicKey()
                        .modulus()
                        .bitLength())
                .isEqualTo(2048);
    }

    @Test
    void rejectsTheRfcExampleAsPrintedBecauseOfItsTrailingCommas() {
        String printed = """
                 {
                    "issuer-request-uri": "https://issuer.example.net/request",
                    "token-keys": [
                      {
                        "token-type": 2,
                        "token-key": "MI...AB",
                        "not-before": 1686913811,
                      }
                    ]
                 }
                """;

        assertThatThrownBy(() -> IssuerDirectory.fromJson(printed))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory: expected a member name at offset 192"); // the '}'
    }

    @Test
    void picksTheFirstKeyThatIsAlreadyValid() {
        IssuerDirectory directory = new IssuerDirectory(
                "/request",
                List.of(
                        new IssuerDirectory.TokenKeyEntry(1, new byte[] {1}, OptionalLong.empty()),
                        new IssuerDirectory.TokenKeyEntry(2, new byte[] {2}, OptionalLong.of(1000)),
                        new IssuerDirectory.TokenKeyEntry(2, new byte[] {3}, OptionalLong.empty())));

        assertThat(directory.preferredKey(2, 999).orElseThrow().tokenKey()).containsExactly(3);
        assertThat(directory.preferredKey(2, 1000).orElseThrow().tokenKey()).containsExactly(2);
        assertThat(directory.preferredKey(5, 1000)).isEmpty();
    }

    @Test
    void writesCompactJsonThatReadsBack() {
        IssuerDirectory directory = new IssuerDirectory(
                "https://issuer.example/r\u00e9quest",
                List.of(
                        new IssuerDirectory.TokenKeyEntry(2, PK_S, OptionalLong.of(42)),
                        new IssuerDirectory.TokenKeyEntry(2, new byte[] {-1, -2}, OptionalLong.empty())));

        String json = directory.toJson();

        assertThat(json)
                .isEqualTo("{\"issuer-request-uri\":\"https://issuer.example/r\u00e9quest\","
                        + "\"token-keys\":[{\"token-type\":2,\"token-key\":\""
                        + PK_S_BASE64URL
                        + "\",\"not-before\":42},"
                        + "{\"token-type\":2,\"token-key\":\"__4=\"}]}");
        assertThat(IssuerDirectory.fromJson(json)).isEqualTo(directory);
    }

    @Test
    void refusesARequestUriThatJsonCannotCarry() {
        // Found by a property: java.net.URI accepts "/\udc00x", whose JSON fromJson refuses.
        for (String uri : new String[] {"/\udc00x", "/r\ud800"}) {
            assertThatThrownBy(() -> new IssuerDirectory(uri, List.of()))
                    .isInstanceOf(MalformedTokenException.class)
                    .hasMessage(
                            "issuer directory: issuer-request-uri has an unpaired surrogate" + " (not Unicode text)");
        }
        IssuerDirectory paired = new IssuerDirectory("/r\ud83d\ude00", List.of());
        assertThat(IssuerDirectory.fromJson(paired.toJson())).isEqualTo(paired);
    }

    @Test
    void escapesStringsTheWayTheParserReadsThem() {
        String awkward = "q\"b\\n\nr\rt\t\u0001\u007f\u00e9\ud83d\ude00";
        StringBuilder json = new StringBuilder();

        IssuerDirectory.writeJsonString(json, awkward);

        assertThat(json.toString()).isEqualTo("\"q\\\"b\\\\n\\nr\\rt\\t\\u0001\u007f\u00e9\ud83d\ude00\"");
        assertThat(IssuerDirectory.readJson("test", json.toString())).isEqualTo(awkward);
    }

    @Test
    void ignoresMembersTheRfcDoesNotDefine() {
        String json = "{\"future\":{\"a\":[1,2.5e3,true,null,\"\\u00e9\\ud83d\\ude00\"]},"
                + "\"issuer-request-uri\":\"/r\",\"token-keys\":[{\"token-type\":2,"
                + "\"token-key\":\"AQ==\",\"extra\":false}]}";

        IssuerDirectory directory = IssuerDirectory.fromJson(json);

        assertThat(directory.tokenKeys())
                .containsExactly(new IssuerDirectory.TokenKeyEntry(2, new byte[] {1}, OptionalLong.empty()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                                       | issuer directory: unexpected end of input at offset 0
            []                                                       | issuer directory: the document must be a JSON object
            {}                                                       | issuer directory: "issuer-request-uri" is missing
            {"issuer-request-uri":1,"token-keys":[]}                 | issuer directory: "issuer-request-uri" must be a string
            {"issuer-request-uri":"","token-keys":[]}                | issuer directory: issuer-request-uri is empty
            {"issuer-request-uri":"a b","token-keys":[]}             | issuer directory: issuer-request-uri is not a URI reference (RFC 3986)
            {"issuer-request-uri":"/r"}                              | issuer directory: "token-keys" is missing
            {"issuer-request-uri":"/r","token-keys":{}}              | issuer directory: "token-keys" must be an array
            {"issuer-request-uri":"/r","token-keys":[2]}             | issuer directory: "token-keys[0]" must be an object
            {"issuer-request-uri":"/r","token-keys":[{"token-key":"AQ=="}]}                  | issuer directory: "token-type" is missing
            {"issuer-request-uri":"/r","token-keys":[{"token-type":"2","token-key":"AQ=="}]} | issuer directory: "token-type" must be a number
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2.0,"token-key":"AQ=="}]} | issuer directory: "token-type" must be an integer from 0 to 65535
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2e0,"token-key":"AQ=="}]} | issuer directory: "token-type" must be an integer from 0 to 65535
            {"issuer-request-uri":"/r","token-keys":[{"token-type":-2,"token-key":"AQ=="}]}  | issuer directory: "token-type" must be an integer from 0 to 65535
            {"issuer-request-uri":"/r","token-keys":[{"token-type":65536,"token-key":"AQ=="}]} | issuer directory: "token-type" must be an integer from 0 to 65535
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2}]}                      | issuer directory: "token-key" is missing
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":"AQ"}]}     | issuer directory: token-key: base64url length 2 is not a multiple of 4 (padding is required)
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":"AQ+/"}]}   | issuer directory: token-key: not base64url (RFC 4648 §5)
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":"AR=="}]}   | issuer directory: token-key: base64url is not in canonical form
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":""}]}       | issuer directory: token-key is empty
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":"AQ==","not-before":-1}]}     | issuer directory: "not-before" must be an integer from 0 to 9223372036854775807
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":"AQ==","not-before":1e3}]}    | issuer directory: "not-before" must be an integer from 0 to 9223372036854775807
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":"AQ==","not-before":99999999999999999999}]} | issuer directory: "not-before" must be an integer from 0 to 9223372036854775807
            {"issuer-request-uri":"/r","token-keys":[{"token-type":2,"token-key":"AQ==","not-before":null}]}   | issuer directory: "not-before" must be a number
            """)
    void rejectsDirectoriesThatBreakRfc9578(String json, String message) {
        assertThatThrownBy(() -> IssuerDirectory.fromJson(json))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"issuer-request-uri":"/r","token-keys":[],}            | expected a member name at offset 43
            {"issuer-request-uri":"/r","token-keys":[1,]}           | unexpected character at offset 43
            {"issuer-request-uri":"/r","issuer-request-uri":"/s"}   | duplicate member name at offset 47
            {"issuer-request-uri":"/r"} x                           | unexpected data after the JSON value at offset 28
            {"a":01}                                                | number with a leading zero at offset 6
            {"a":1.}                                                | expected a digit at offset 7
            {"a":-}                                                 | expected a digit at offset 6
            {"a":tru}                                               | unexpected character at offset 5
            {"a":"\\x"}                                             | invalid escape at offset 8
            {"a":"\\u12g4"}                                         | invalid \\u escape at offset 11
            # Fullwidth A and Arabic-Indic zero are digits to Character.digit (found by a property).
            {"a":"\\u0\uFF21\u0660\u0660"}                           | invalid \\u escape at offset 10
            {"a":"\\ud800"}                                         | unpaired surrogate escape at offset 12
            {"a":"\\udc00\\ud800"}                                  | unpaired surrogate escape at offset 12
            {"a":"abc                                               | unterminated string at offset 9
            {"a" 1}                                                 | expected ':' at offset 5
            {"a":1 "b":2}                                           | expected ',' at offset 7
            /* comment */ {}                                        | unexpected character at offset 0
            """)
    void rejectsJsonThatIsNotStrictRfc8259(String json, String problem) {
        assertThatThrownBy(() -> IssuerDirectory.fromJson(json))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory: " + problem);
    }

    @Test
    void rejectsSingleQuotedStrings() {
        assertThatThrownBy(() -> IssuerDirectory.fromJson("{\"issuer-request-uri\":'/r'}"))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory: unexpected character at offset 22");
    }

    @Test
    void rejectsControlCharactersAndLoneSurrogatesInStrings() {
        assertThatThrownBy(() -> IssuerDirectory.fromJson("{\"a\":\"x\ny\"}"))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory: control character in a string at offset 8");
        assertThatThrownBy(() -> IssuerDirectory.fromJson("{\"a\":\"\ud800x\"}"))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory: unpaired surrogate at offset 6");
    }

    @Test
    void boundsNestingAndLength() {
        String deep = "{\"a\":".repeat(16) + "1" + "}".repeat(16);
        String tooDeep = "[".repeat(17) + "]".repeat(17);

        assertThatThrownBy(() -> IssuerDirectory.fromJson(deep))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory: \"issuer-request-uri\" is missing");
        assertThatThrownBy(() -> IssuerDirectory.fromJson(tooDeep))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory: nesting deeper than 16 at offset 16");
        assertThatThrownBy(() -> IssuerDirectory.fromJson(" ".repeat(65_537)))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("issuer directory length 65537 exceeds limit 65536");
    }
}
