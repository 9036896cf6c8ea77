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
import static org.masquerelay.protocol.PropertyCheck.forAll;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.PropertyCheck;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.uri.HostGen.Host;

/**
 * Properties of RFC 9298 §2 templates: every target expands to a path that matches back to it, in
 * any template this class accepts, and any template text or request path gives a value or the
 * codec's own exception.
 */
class UdpProxyTemplatePropertiesTest {

    /** A template, a host and a port. */
    record Case(String template, Host host, int port) {}

    /** A template and a request path to match against it. */
    record Request(String template, String path) {
        @Override
        public String toString() {
            return template + " <- " + PropertyCheck.quote(path);
        }
    }

    /** What may follow a variable: characters an expanded value never has (RFC 6570 §3.2.2). */
    private static final String DELIMITERS = "/&;,=+!$*():@?";

    /** Literal text: unreserved, delimiters, and percent-encoded triplets. */
    private static final Gen<String> LITERAL = Gen.lists(
                    Gen.oneOf(
                            Gen.strings("abcXYZ019-._~" + DELIMITERS, 1, 6), Gen.elements("%2F", "%41", "%e9", "%7B")),
                    0,
                    4)
            .map(parts -> String.join("", parts));

    /** Templates with both variables, in either order, in the path or query, relative or absolute. */
    static final Gen<String> TEMPLATES = Gen.oneOf(
            Gen.constant(UdpProxyTemplate.DEFAULT_PATH),
            Gen.constant("/masque?h={target_host}&p={target_port}"),
            Gen.combine(
                    LITERAL, LITERAL, LITERAL, Gen.longs(0, Long.MAX_VALUE), UdpProxyTemplatePropertiesTest::template));

    private static final Gen<Case> CASES = Gen.combine(TEMPLATES, HostGen.hosts(), HostGen.ports(), Case::new);

    @Test
    void everyTargetExpandsToAPathThatMatchesBackToIt() {
        forAll(CASES).check(c -> {
            UdpProxyTemplate template = UdpProxyTemplate.parse(c.template());
            String path = template.expandPath(c.host().text(), c.port());

            assertThat(template.toString()).isEqualTo(c.template());
            assertThat(path).isEqualTo(template.expandPath(c.host().canonical(), c.port()));
            assertThat(template.match(path)).contains(new Target(c.host().canonical(), c.port()));
        });
    }

    @Test
    void anyPercentEncodingOfTheTargetMatchesTheSameTarget() {
        forAll(Gen.combine(HostGen.hosts(), HostGen.ports(), (h, p) -> new Case("", h, p)))
                .check(c -> {
                    String host = reencode(PercentEncoding.encode(c.host().canonical()), c.port());
                    String port = reencode(Integer.toString(c.port()), c.port() + 1);
                    String path = "/.well-known/masque/udp/" + host + "/" + port + "/";

                    assertThat(UdpProxyTemplate.defaultTemplate().match(path))
                            .contains(new Target(c.host().canonical(), c.port()));
                });
    }

    @Test
    void anyTemplateTextGivesATemplateThatRoundTripsOrInvalidTemplate() {
        Gen<String> mutated = Gen.textMutations(TEMPLATES, "{}%/?#:_t" + HostGen.HOSTILE_CHARS);

        forAll(Gen.oneOf(Gen.strings(HostGen.HOSTILE_CHARS, 0, 30), mutated, mutated, mutated))
                .shrinkWith(Shrink.string())
                .check(text -> Outcome.of(() -> UdpProxyTemplate.parse(text), InvalidTemplateException.class)
                        .ifValue(template -> {
                            // Whatever template is accepted must match what it expands to.
                            for (String host : List.of("example.com", "192.0.2.1", "2001:db8::1")) {
                                assertThat(template.match(template.expandPath(host, 443)))
                                        .contains(new Target(host, 443));
                            }
                        }));
    }

    @Test
    void anyRequestPathGivesATargetNothingOrMalformedTarget() {
        Gen<Request> requests = CASES.flatMap(c -> {
            String expanded =
                    UdpProxyTemplate.parse(c.template()).expandPath(c.host().text(), c.port());
            return Gen.oneOf(
                            Gen.textMutations(Gen.constant(expanded), HostGen.HOSTILE_CHARS),
                            Gen.strings(HostGen.HOSTILE_CHARS, 0, 30))
                    .map(path -> new Request(c.template(), path));
        });

        forAll(requests)
                .shrinkWith(Shrink.part(Request::path, Shrink.string(), (r, path) -> new Request(r.template(), path)))
                .check(request -> {
                    UdpProxyTemplate template = UdpProxyTemplate.parse(request.template());
                    Outcome.of(() -> template.match(request.path()), MalformedTargetException.class)
                            .ifValue(matched -> matched.ifPresent(target -> assertThat(
                                            template.match(template.expandPath(target.host(), target.port())))
                                    .contains(target)));
                });
    }

    /**
     * {@code /first{a}<d>between{b}[<d>last]} with the variables in either order and {@code <d>} a
     * delimiter, as a path or after an https authority.
     */
    private static String template(String first, String between, String last, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean hostFirst = random.nextBoolean();
        String a = hostFirst ? "{target_host}" : "{target_port}";
        String b = hostFirst ? "{target_port}" : "{target_host}";
        char separator = DELIMITERS.charAt(random.nextInt(DELIMITERS.length()));
        String end = random.nextBoolean() ? "" : DELIMITERS.charAt(random.nextInt(DELIMITERS.length())) + last;
        String path = "/" + first + a + separator + between + b + end;
        return switch (random.nextInt(3)) {
            case 0 -> "https://relay.example" + path;
            case 1 -> "HTTPS://[2001:db8::1]:8443" + path;
            default -> path;
        };
    }

    /** Percent-encodes some unreserved characters too, in either case, as a client may. */
    private static String reencode(String encoded, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                String triplet = encoded.substring(i, i + 3);
                sb.append(random.nextBoolean() ? triplet : triplet.toLowerCase(Locale.ROOT));
                i += 2;
            } else if (random.nextInt(3) == 0) {
                String hex = String.format("%%%02X", (int) c);
                sb.append(random.nextBoolean() ? hex : hex.toLowerCase(Locale.ROOT));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
