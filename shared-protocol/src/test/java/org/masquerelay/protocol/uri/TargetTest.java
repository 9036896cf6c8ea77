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
package org.masquerelay.protocol.uri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.ProtocolException;

/** RFC 9114 §4.4 CONNECT authorities. */
class TargetTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // input                        | host               | port  | canonical form
                "example.com:443                | example.com        | 443   | example.com:443",
                "WWW.Example.COM:80             | www.example.com    | 80    | www.example.com:80",
                "example.com.:8080              | example.com.       | 8080  | example.com.:8080",
                "1.2.3.4:80                     | 1.2.3.4            | 80    | 1.2.3.4:80",
                "[2001:db8::1]:443              | 2001:db8::1        | 443   | [2001:db8::1]:443",
                "[2001:DB8:0:0:1:0:0:1]:443     | 2001:db8::1:0:0:1  | 443   | [2001:db8::1:0:0:1]:443",
                "[::]:1                         | ::                 | 1     | [::]:1",
                "[::ffff:192.0.2.1]:65535       | ::ffff:192.0.2.1   | 65535 | [::ffff:192.0.2.1]:65535",
                "[0:0:0:0:0:ffff:c000:201]:53   | ::ffff:192.0.2.1   | 53    | [::ffff:192.0.2.1]:53",
                "[64:ff9b::192.0.2.33]:53       | 64:ff9b::c000:221  | 53    | [64:ff9b::c000:221]:53",
                "[2001:0:0:1:0:0:0:1]:53        | 2001:0:0:1::1      | 53    | [2001:0:0:1::1]:53",
                "[2001:db8:0:1:1:1:1:1]:53      | 2001:db8:0:1:1:1:1:1 | 53  | [2001:db8:0:1:1:1:1:1]:53",
            })
    void parsesAndCanonicalizes(String input, String host, int port, String canonical) {
        Target authority = Target.parse(input);

        assertThat(authority.host()).isEqualTo(host);
        assertThat(authority.port()).isEqualTo(port);
        assertThat(authority).hasToString(canonical);
        assertThat(Target.parse(authority.toString())).isEqualTo(authority);
    }

    @Test
    void knowsIpLiterals() {
        assertThat(Target.parse("1.2.3.4:80").isIpLiteral()).isTrue();
        assertThat(Target.parse("[::1]:80").isIpLiteral()).isTrue();
        assertThat(Target.parse("host1.example:80").isIpLiteral()).isFalse();
    }

    @Test
    void constructorAcceptsBracketedIpv6() {
        assertThat(new Target("[2001:db8::1]", 443)).isEqualTo(Target.parse("[2001:db8::1]:443"));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            ignoreLeadingAndTrailingWhitespace = false,
            value = {
                "|authority is empty",
                "example.com|authority is missing a port",
                "example.com:|authority is missing a port",
                "[2001:db8::1]|authority is missing a port",
                "[2001:db8::1]:|authority is missing a port",
                ":443|authority host is empty",
                "example.com:0|port 0 out of range (expected: 1-65535)",
                "example.com:65536|port 65536 out of range (expected: 1-65535)",
                "example.com:99999|port 99999 out of range (expected: 1-65535)",
                "example.com:-1|port is not a decimal number (expected: 1-65535)",
                "example.com:https|port is not a decimal number (expected: 1-65535)",
                "example.com:080|port has a leading zero (expected: 1-65535)",
                "user@example.com:443|authority must not contain userinfo ('@')",
                " example.com:443|authority contains whitespace or a control or non-ASCII character U+0020 at offset 0",
                "example.com:443 |authority contains whitespace or a control or non-ASCII character U+0020 at offset 15",
                "exa mple.com:443|authority contains whitespace or a control or non-ASCII character U+0020 at offset 3",
                "[2001:db8::1:443|authority has an unclosed '['",
                "2001:db8::1]:443|authority has a misplaced '[' or ']'",
                "[2001:db8::1]443|authority has characters between ']' and ':'",
                "[example.com]:443|brackets in an authority must hold an IPv6 address",
                "[1.2.3.4]:443|brackets in an authority must hold an IPv6 address",
                "[]:443|brackets in an authority must hold an IPv6 address",
                "2001:db8::1:443|IPv6 address in an authority must be in brackets",
                "[2001:db8::g]:443|host is not a valid IPv6 address",
                "[fe80::1%25eth0]:443|IPv6 zone identifiers are not allowed",
                "exa%6dple.com:443|host contains invalid character '%' at offset 3",
                "example.com/:443|host contains invalid character '/' at offset 11",
                "999.1.1.1:443|host is not a valid IPv4 address (expected: four decimal octets 0-255 without leading zeros)",
            })
    void malformedAuthorityIsRejected(String input, String message) {
        assertThatThrownBy(() -> Target.parse(input))
                .isInstanceOf(MalformedTargetException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessage(message);
    }

    @Test
    void tabAndNullAreMalformed() {
        assertThatThrownBy(() -> Target.parse("example.com:\t443"))
                .isInstanceOf(MalformedTargetException.class)
                .hasMessageContaining("U+0009");
        assertThatThrownBy(() -> Target.parse(null))
                .isInstanceOf(MalformedTargetException.class)
                .hasMessage("authority is empty");
    }

    @Test
    void udpTargetFormsAuthority() {
        assertThat(new Target("example.com", 443).authority()).isEqualTo("example.com:443");
        assertThat(new Target("192.0.2.1", 53).authority()).isEqualTo("192.0.2.1:53");
        assertThat(new Target("2001:db8::1", 443).authority()).isEqualTo("[2001:db8::1]:443");
        assertThat(new Target("[2001:db8::1]", 443).host()).isEqualTo("2001:db8::1");
    }

    @Test
    void udpTargetKnowsIpLiterals() {
        assertThat(new Target("192.0.2.1", 53).isIpLiteral()).isTrue();
        assertThat(new Target("2001:db8::1", 53).isIpLiteral()).isTrue();
        assertThat(new Target("dns.example", 53).isIpLiteral()).isFalse();
        assertThat(new Target("1.example", 53).isIpLiteral()).isFalse();
    }

    @Test
    void udpTargetRejectsInvalidComponents() {
        assertThatThrownBy(() -> new Target("", 53)).isInstanceOf(MalformedTargetException.class);
        assertThatThrownBy(() -> new Target(null, 53)).isInstanceOf(MalformedTargetException.class);
        assertThatThrownBy(() -> new Target("example.com", 70_000))
                .isInstanceOf(MalformedTargetException.class)
                .hasMessage("port 70000 out of range (expected: 1-65535)");
    }
}
