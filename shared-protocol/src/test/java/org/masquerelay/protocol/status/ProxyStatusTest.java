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
package org.masquerelay.protocol.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.ProtocolException;

/** RFC 9209 §2 members, serialized and parsed as RFC 8941 §3.1 Lists. */
class ProxyStatusTest {

    @Test
    void serializesDesignExample() {
        ProxyStatus status = ProxyStatus.of("egress", ProxyErrorType.DNS_ERROR, "no such host");

        assertThat(status.toHeaderValue()).isEqualTo("egress; error=dns_error; details=\"no such host\"");
    }

    @Test
    void serializesWithoutOptionalParameters() {
        assertThat(ProxyStatus.of("egress", ProxyErrorType.DNS_ERROR, null).toHeaderValue())
                .isEqualTo("egress; error=dns_error");
        assertThat(ProxyStatus.of("ingress", null, null).toHeaderValue()).isEqualTo("ingress");
    }

    @Test
    void serializesNonTokenProxyNameAsString() {
        ProxyStatus status = ProxyStatus.of("egress relay \"B\"", ProxyErrorType.CONNECTION_REFUSED, null);

        assertThat(status.toHeaderValue()).isEqualTo("\"egress relay \\\"B\\\"\"; error=connection_refused");
        assertThat(ProxyStatus.parse(status.toHeaderValue())).isEqualTo(status);
    }

    @Test
    void tokenProxyNamesStayTokens() {
        assertThat(ProxyStatus.of("r34.example.net:8443/x", null, null).toHeaderValue())
                .isEqualTo("r34.example.net:8443/x");
        assertThat(ProxyStatus.of("1relay", null, null).toHeaderValue()).isEqualTo("\"1relay\"");
    }

    @Test
    void escapesAndSanitizesDetails() {
        ProxyStatus status =
                ProxyStatus.of("egress", ProxyErrorType.HTTP_REQUEST_DENIED, "say \"hi\" \\ tab\there café\n😀");

        assertThat(status.toHeaderValue())
                .isEqualTo("egress; error=http_request_denied; details=\"say \\\"hi\\\" \\\\ tab?here caf???\"");
    }

    @Test
    void truncatesDetailsTo256Characters() {
        String details = "x".repeat(300);
        String header =
                ProxyStatus.of("egress", ProxyErrorType.DNS_ERROR, details).toHeaderValue();

        assertThat(header).isEqualTo("egress; error=dns_error; details=\"" + "x".repeat(256) + "\"");
        assertThat(ProxyStatus.parse(header).details()).hasSize(256);
    }

    @Test
    void parsesWhatItSerializes() {
        for (ProxyErrorType type : ProxyErrorType.values()) {
            ProxyStatus status = ProxyStatus.of("egress", type, "d\"e\\tails");
            ProxyStatus parsed = ProxyStatus.parse(status.toHeaderValue());
            assertThat(parsed).isEqualTo(status);
            assertThat(parsed.error()).contains(type);
        }
    }

    @Test
    void parsesStrictRfc8941FormWithoutSpaces() {
        ProxyStatus status = ProxyStatus.parse("egress;error=dns_timeout;details=\"slow\"");

        assertThat(status).isEqualTo(new ProxyStatus("egress", "dns_timeout", "slow"));
        assertThat(status.error()).contains(ProxyErrorType.DNS_TIMEOUT);
    }

    @Test
    void parsesListInOrderAndParseReturnsLast() {
        String header = "  origin-side; error=connection_timeout,ExampleCDN ,\t\"client side\";"
                + " error=http_request_denied  ";

        List<ProxyStatus> members = ProxyStatus.parseList(header);

        assertThat(members)
                .containsExactly(
                        new ProxyStatus("origin-side", "connection_timeout", null),
                        new ProxyStatus("ExampleCDN", null, null),
                        new ProxyStatus("client side", "http_request_denied", null));
        assertThat(ProxyStatus.parse(header)).isEqualTo(members.get(2));
    }

    @Test
    void ignoresUnknownParametersOfEveryType() {
        ProxyStatus status = ProxyStatus.parse("r34.example.net; error=http_request_error; received-status=503;"
                + " next-hop=backend.example.org; rcode=-3; rtt=1.5; bin=:aGVsbG8=:; b=?0; flag;"
                + " *x=\"y\"; details=\"bad request\"");

        assertThat(status).isEqualTo(new ProxyStatus("r34.example.net", "http_request_error", "bad request"));
    }

    @Test
    void keepsUnknownErrorToken() {
        ProxyStatus status = ProxyStatus.parse("ExampleCDN; error=tls_alert_received");

        assertThat(status.errorToken()).isEqualTo("tls_alert_received");
        assertThat(status.error()).isEmpty();
        assertThat(status.toHeaderValue()).isEqualTo("ExampleCDN; error=tls_alert_received");
    }

    @Test
    void laterParameterOverridesEarlier() {
        assertThat(ProxyStatus.parse("egress; error=dns_error; error=dns_timeout")
                        .error())
                .contains(ProxyErrorType.DNS_TIMEOUT);
    }

    @Test
    void emptyFieldIsEmptyList() {
        assertThat(ProxyStatus.parseList("")).isEmpty();
        assertThat(ProxyStatus.parseList("   ")).isEmpty();
    }

    @Test
    void emptyFieldIsMalformedForParse() {
        assertThatThrownBy(() -> ProxyStatus.parse(""))
                .isInstanceOf(MalformedProxyStatusException.class)
                .hasMessage("proxy-status is empty");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "egress,                            | proxy-status: trailing ',' at end of list at offset 7",
                "egress ,  ,x                       | proxy-status: list member must be a token or string at offset 10",
                "egress relay                       | proxy-status: expected ',' after list member at offset 7",
                "(egress relay)                     | proxy-status: inner lists are not allowed in proxy-status at offset 0",
                "42; error=dns_error                | proxy-status: list member must be a token or string at offset 0",
                "?1                                 | proxy-status: list member must be a token or string at offset 0",
                "\"\"; error=dns_error              | proxy-status: proxy name is empty at offset 2",
                "\"egress                           | proxy-status: unterminated string at offset 0",
                "\"egr\\ess\"                       | proxy-status: invalid escape in string at offset 4",
                "egress; error=\"dns_error\"        | proxy-status: error parameter must be a token (RFC 9209 §2.1.1) at offset 25",
                "egress; error                      | proxy-status: error parameter must be a token (RFC 9209 §2.1.1) at offset 13",
                "egress; details=no_such_host       | proxy-status: details parameter must be a string (RFC 9209 §2.1.5) at offset 28",
                "egress; details=404                | proxy-status: details parameter must be a string (RFC 9209 §2.1.5) at offset 19",
                "egress; x=:a:                      | proxy-status: byte sequence is not valid base64 at offset 13",
                "egress; Error=dns_error            | proxy-status: parameter key must start with a lower-case letter or '*' at offset 8",
                "egress;                            | proxy-status: expected a parameter key at offset 7",
                "egress; error=                     | proxy-status: expected a parameter value at offset 14",
                "egress; x=@1                       | proxy-status: unrecognized parameter value at offset 10",
                "egress; x=-                        | proxy-status: expected a digit at offset 11",
                "egress; x=1234567890123456         | proxy-status: integer has more than 15 digits at offset 26",
                "egress; x=1234567890123.5          | proxy-status: decimal has more than 12 integer digits at offset 23",
                "egress; x=1.2345                   | proxy-status: decimal has more than 3 fractional digits at offset 16",
                "egress; x=1.                       | proxy-status: decimal ends with '.' at offset 12",
                "egress; x=:aGk*:                   | proxy-status: byte sequence contains a character outside base64 at offset 14",
                "egress; x=:aGk=                    | proxy-status: unterminated byte sequence at offset 10",
                "egress; x=?2                       | proxy-status: boolean must be ?0 or ?1 at offset 11",
            })
    void malformedFieldIsRejected(String header, String message) {
        assertThatThrownBy(() -> ProxyStatus.parseList(header))
                .isInstanceOf(MalformedProxyStatusException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessage(message);
    }

    @Test
    void leadingTabIsMalformed() {
        // RFC 8941 §4.2 discards leading SP only; HTTP strips OWS before the value reaches us.
        assertThatThrownBy(() -> ProxyStatus.parseList("\tegress"))
                .isInstanceOf(MalformedProxyStatusException.class)
                .hasMessage("proxy-status: list member must be a token or string at offset 0");
    }

    @Test
    void controlCharacterInStringIsMalformed() {
        assertThatThrownBy(() -> ProxyStatus.parse("egress; details=\"a\u0007b\""))
                .isInstanceOf(MalformedProxyStatusException.class)
                .hasMessage("proxy-status: string contains a character outside printable ASCII at offset 18");
        assertThatThrownBy(() -> ProxyStatus.parse("egress; details=\"café\""))
                .isInstanceOf(MalformedProxyStatusException.class)
                .hasMessage("proxy-status: string contains a character outside printable ASCII at offset 20");
    }

    @Test
    void recordRejectsInvalidComponents() {
        assertThatThrownBy(() -> new ProxyStatus("", "dns_error", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProxyStatus(null, "dns_error", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ProxyStatus("egress", "dns error", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
