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

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.ProtocolException;

/** RFC 9298 §2 templates and §3.1 target variables. */
class UdpProxyTemplateTest {

    private static final UdpProxyTemplate DEFAULT = UdpProxyTemplate.defaultTemplate();
    private static final UdpProxyTemplate QUERY = UdpProxyTemplate.parse("/masque?h={target_host}&p={target_port}");

    @Test
    void defaultTemplateIsTheWellKnownPath() {
        assertThat(DEFAULT).hasToString("/.well-known/masque/udp/{target_host}/{target_port}/");
        assertThat(DEFAULT.authority()).isEmpty();
        assertThat(DEFAULT).isEqualTo(UdpProxyTemplate.parse(UdpProxyTemplate.DEFAULT_PATH));
    }

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({
        // host              , port  , expanded path
        "example.com         , 443   , /.well-known/masque/udp/example.com/443/",
        "192.0.2.6           , 53    , /.well-known/masque/udp/192.0.2.6/53/",
        "2001:db8::1         , 443   , /.well-known/masque/udp/2001%3Adb8%3A%3A1/443/",
        "[2001:db8::1]       , 443   , /.well-known/masque/udp/2001%3Adb8%3A%3A1/443/",
        "2001:DB8:0:0:0:0:0:1, 65535 , /.well-known/masque/udp/2001%3Adb8%3A%3A1/65535/",
        "Egress-1.Example.NET, 1     , /.well-known/masque/udp/egress-1.example.net/1/",
    })
    void expandsDefaultTemplate(String host, int port, String path) {
        assertThat(DEFAULT.expandPath(host, port)).isEqualTo(path);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/.well-known/masque/udp/example.com/443/      , example.com , 443",
        "/.well-known/masque/udp/192.0.2.6/53/         , 192.0.2.6   , 53",
        "/.well-known/masque/udp/2001%3adb8%3a%3a1/443/, 2001:db8::1 , 443",
        "/.well-known/masque/udp/%65xample.com/443/    , example.com , 443",
        "/.well-known/masque/udp/EXAMPLE.com/%34%34%33/, example.com , 443",
    })
    void matchesDefaultTemplate(String path, String host, int port) {
        assertThat(DEFAULT.match(path)).contains(new Target(host, port));
    }

    @Test
    void expandThenMatchRoundTrips() {
        for (String host : List.of("example.com", "198.51.100.7", "2001:db8:1:2:3:4:5:6", "::1")) {
            for (UdpProxyTemplate template : new UdpProxyTemplate[] {DEFAULT, QUERY}) {
                String path = template.expandPath(host, 4433);
                assertThat(template.match(path)).as(path).contains(new Target(host, 4433));
            }
        }
    }

    @Test
    void queryTemplateExpandsAndMatches() {
        assertThat(QUERY.expandPath("2001:db8::42", 8443)).isEqualTo("/masque?h=2001%3Adb8%3A%3A42&p=8443");
        assertThat(QUERY.match("/masque?h=example.org&p=53")).contains(new Target("example.org", 53));
    }

    @Test
    void absoluteTemplateKeepsAuthorityOutOfThePath() {
        UdpProxyTemplate template =
                UdpProxyTemplate.parse("https://relay.example:443/.well-known/masque/udp/{target_host}/{target_port}/");

        assertThat(template.authority()).contains("relay.example:443");
        assertThat(template.expandPath("egress.example", 4433))
                .isEqualTo("/.well-known/masque/udp/egress.example/4433/");
        assertThat(template.match("/.well-known/masque/udp/egress.example/4433/"))
                .contains(new Target("egress.example", 4433));
    }

    @Test
    void otherSeparatorsAndOrderAreSupported() {
        UdpProxyTemplate template =
                UdpProxyTemplate.parse("HTTPS://proxy.example.org:4443/udp/{target_port};h={target_host}");

        assertThat(template.expandPath("example.com", 53)).isEqualTo("/udp/53;h=example.com");
        assertThat(template.match("/udp/53;h=example.com")).contains(new Target("example.com", 53));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/",
        "/.well-known/masque/udp/example.com/443", // no trailing slash
        "/.well-known/masque/udp/example.com/443/extra/",
        "/.well-known/masque/udp/example.com/443/?x=1",
        "/.well-known/masque/udp/example.com", // no port segment
        "/.well-known/masque/ip/example.com/443/",
        "/.WELL-KNOWN/masque/udp/example.com/443/",
    })
    void otherPathsDoNotMatch(String path) {
        assertThat(DEFAULT.match(path)).isEmpty();
    }

    @Test
    void queryTemplateDoesNotMatchOtherQueries() {
        assertThat(QUERY.match("/masque?p=443&h=example.com")).isEmpty();
        assertThat(QUERY.match("/masque")).isEmpty();
    }

    // --- malformed targets in a path that matches the template ---------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/.well-known/masque/udp//443/                  | target host is empty",
                "/.well-known/masque/udp/example.com//          | port is empty",
                "/.well-known/masque/udp/example.com/0/         | port 0 out of range (expected: 1-65535)",
                "/.well-known/masque/udp/example.com/65536/     | port 65536 out of range (expected: 1-65535)",
                "/.well-known/masque/udp/example.com/+443/      | port is not a decimal number (expected: 1-65535)",
                "/.well-known/masque/udp/example.com/0443/      | port has a leading zero (expected: 1-65535)",
                "/.well-known/masque/udp/example.com/443a/      | port is not a decimal number (expected: 1-65535)",
                "/.well-known/masque/udp/example.com/4430000/   | port is not a decimal number (expected: 1-65535)",
                "/.well-known/masque/udp/example.com/%2B443/    | port is not a decimal number (expected: 1-65535)",
                "/.well-known/masque/udp/exa%G1mple.com/443/    | target host has invalid percent-encoding at offset 3",
                "/.well-known/masque/udp/example.com%4/443/     | target host has invalid percent-encoding at offset 11",
                "/.well-known/masque/udp/example.com%/443/      | target host has invalid percent-encoding at offset 11",
                "/.well-known/masque/udp/%C3%28.example/443/    | target host is not valid UTF-8 after percent-decoding",
                "/.well-known/masque/udp/caf%C3%A9.example/443/ | host contains invalid character U+00E9 at offset 3",
                "/.well-known/masque/udp/exa_mple.com/443/      | host contains invalid character '_' at offset 3",
                "/.well-known/masque/udp/exa%20mple.com/443/    | host contains invalid character U+0020 at offset 3",
                "/.well-known/masque/udp/example.com%00/443/    | host contains invalid character U+0000 at offset 11",
                "/.well-known/masque/udp/-example.com/443/      | host label starts or ends with '-'",
                "/.well-known/masque/udp/example..com/443/      | host has an empty label",
                "/.well-known/masque/udp/.example.com/443/      | host has an empty label",
                "/.well-known/masque/udp/0177.0.0.1/443/        | host is not a valid IPv4 address (expected: four decimal octets 0-255 without leading zeros)",
                "/.well-known/masque/udp/2130706433/443/        | host is not a valid IPv4 address (expected: four decimal octets 0-255 without leading zeros)",
                "/.well-known/masque/udp/256.0.0.1/443/         | host is not a valid IPv4 address (expected: four decimal octets 0-255 without leading zeros)",
                "/.well-known/masque/udp/1.2.3/443/             | host is not a valid IPv4 address (expected: four decimal octets 0-255 without leading zeros)",
                "/.well-known/masque/udp/2001%3Adb8%3A%3A%3A1/443/ | host is not a valid IPv6 address",
                "/.well-known/masque/udp/2001%3Adb8%3A1/443/    | host is not a valid IPv6 address",
                "/.well-known/masque/udp/fe80%3A%3A1%25eth0/443/ | IPv6 zone identifiers are not allowed",
                "/.well-known/masque/udp/%5B2001%3Adb8%3A%3A1/443/ | host has an unbalanced '['",
                "/.well-known/masque/udp/exämple.com/443/       | target host contains a raw non-ASCII character",
                // KELVIN SIGN lower-cases to ASCII 'k'; it must not pass as one (found by a property).
                "/.well-known/masque/udp/%E2%84%AA/443/         | host contains invalid character U+212A at offset 0",
                "/.well-known/masque/udp/e%E2%84%AAample.com/443/ | host contains invalid character U+212A at offset 1",
            })
    void invalidTargetIsMalformed(String path, String message) {
        assertThatThrownBy(() -> DEFAULT.match(path))
                .isInstanceOf(MalformedTargetException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessage(message);
    }

    @Test
    void hostLongerThan253IsMalformed() {
        String label = "a".repeat(63);
        String host = String.join(".", label, label, label, label); // 255 characters
        assertThatThrownBy(() -> DEFAULT.match("/.well-known/masque/udp/" + host + "/443/"))
                .isInstanceOf(MalformedTargetException.class)
                .hasMessage("host length 255 exceeds 253");
    }

    @Test
    void labelLongerThan63IsMalformed() {
        String path = "/.well-known/masque/udp/" + "a".repeat(64) + ".com/443/";
        assertThatThrownBy(() -> DEFAULT.match(path))
                .isInstanceOf(MalformedTargetException.class)
                .hasMessage("host label length 64 exceeds 63");
    }

    @Test
    void hostOf253CharactersIsAccepted() {
        String label = "a".repeat(63);
        String host = String.join(".", label, label, label, "a".repeat(61)); // 253 characters
        assertThat(DEFAULT.match("/.well-known/masque/udp/" + host + "/443/"))
                .map(Target::host)
                .contains(host);
    }

    @Test
    void expandPathRejectsInvalidTarget() {
        assertThatThrownBy(() -> DEFAULT.expandPath("bad host", 443)).isInstanceOf(MalformedTargetException.class);
        assertThatThrownBy(() -> DEFAULT.expandPath("example.com", 0)).isInstanceOf(MalformedTargetException.class);
    }

    // --- invalid templates ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/udp/{target_host}/                        | template must contain {target_port} (RFC 9298 §2)",
                "/udp/{target_port}/                        | template must contain {target_host} (RFC 9298 §2)",
                "/udp/{target_host}/{target_port}/{target_host}/ | variable {target_host} appears more than once (RFC 9298 §2)",
                "/udp/{target_host}/{target_port}/{other}/  | unknown variable {other} (expected: target_host, target_port)",
                "/udp/{target_host}/{target_port}/{}/       | empty expression at offset 33",
                "/udp{?target_host,target_port}             | operator '?' at offset 4 is not supported (only {var}, RFC 6570 level 1)",
                "/udp/{+target_host}/{target_port}/         | operator '+' at offset 5 is not supported (only {var}, RFC 6570 level 1)",
                "/udp/{target_host,target_port}/            | expression at offset 5 lists several variables (only {var} is supported)",
                "/udp/{target_host:3}/{target_port}/        | modifier at offset 5 is not supported (only {var}, RFC 6570 level 1)",
                "/udp/{target_host*}/{target_port}/         | modifier at offset 5 is not supported (only {var}, RFC 6570 level 1)",
                "/udp/{target_host}/{target_port}/#frag     | template must not contain a fragment ('#' at offset 33)",
                "/udp/{target_host/{target_port}/           | unclosed '{' at offset 5",
                "/udp/{target_host}/{target_port            | unclosed '{' at offset 19",
                "/udp/target_host}/{target_port}/           | unmatched '}' at offset 16",
                "/udp/{target_host}{target_port}/           | variables at offset 18 must be separated by a literal",
                "/udp/{target_host}-{target_port}/          | variable {target_host} must be followed by a delimiter such as '/' or '&', not '-'",
                "/udp/{target_host}%2F{target_port}/        | variable {target_host} must be followed by a delimiter such as '/' or '&', not '%'",
                "/udp/%zz/{target_host}/{target_port}/      | invalid percent-encoding at offset 5",
                "http://relay.example/{target_host}/{target_port}/ | template scheme must be https (RFC 9298 §2), not http",
                "https://{target_host}/{target_port}/       | template variables must be in the path or query, not the authority (RFC 9298 §2)",
                "https://relay.example                      | template must have a path starting with '/'",
                "https:///{target_host}/{target_port}/      | template must have a non-empty authority and a path",
                "https://user@relay.example/{target_host}/{target_port}/ | template authority must not contain userinfo",
                "relay.example/{target_host}/{target_port}/ | template must be an absolute https URI or a path starting with '/'",
                "/udp/<{target_host}>/{target_port}/        | template contains invalid character '<' at offset 5",
            })
    void invalidTemplateIsRejected(String template, String message) {
        assertThatThrownBy(() -> UdpProxyTemplate.parse(template))
                .isInstanceOf(InvalidTemplateException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessage(message);
    }

    @Test
    void templateWithWhitespaceIsRejected() {
        assertThatThrownBy(() -> UdpProxyTemplate.parse("/udp/{target_host}/ {target_port}/"))
                .isInstanceOf(InvalidTemplateException.class)
                .hasMessage("template contains invalid character U+0020 at offset 19");
        assertThatThrownBy(() -> UdpProxyTemplate.parse(""))
                .isInstanceOf(InvalidTemplateException.class)
                .hasMessage("template is empty");
    }

    @Test
    void matchNeverReturnsNullForEmptyOptional() {
        assertThat(DEFAULT.match("")).isEqualTo(Optional.empty());
    }
}
