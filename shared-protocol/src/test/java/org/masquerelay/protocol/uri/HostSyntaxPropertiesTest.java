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

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.uri.HostGen.Host;

/**
 * Properties of target hosts, {@link Target} (both the CONNECT authority and the connect-udp target) and {@link PercentEncoding}:
 * every valid spelling canonicalizes to one form that stays put, and any text gives a value or
 * {@link MalformedTargetException}.
 */
class HostSyntaxPropertiesTest {

    /** A host and a port. */
    record GenTarget(Host host, int port) {}

    private static final Gen<GenTarget> TARGETS = Gen.combine(HostGen.hosts(), HostGen.ports(), GenTarget::new);

    private static final Gen<String> HOSTILE_TEXT = Gen.oneOf(
            Gen.strings(HostGen.HOSTILE_CHARS, 0, 24),
            Gen.textMutations(HostGen.hosts().map(Host::text), HostGen.HOSTILE_CHARS),
            Gen.textMutations(
                    TARGETS.map(t -> new Target(t.host().text(), t.port()).toString()), HostGen.HOSTILE_CHARS));

    @Test
    void everySpellingOfAHostCanonicalizesToOneFormThatStaysPut() {
        forAll(HostGen.hosts()).check(host -> {
            String canonical = HostSyntax.canonicalize(host.text());

            assertThat(canonical).isEqualTo(host.canonical());
            assertThat(HostSyntax.canonicalize(canonical)).isEqualTo(canonical);
            assertThat(HostSyntax.isIpv6(canonical)).isEqualTo(host.text().contains(":"));
        });
    }

    @Test
    void canonicalIpLiteralsDenoteTheAddressTheyWereSpelledFrom() throws Exception {
        forAll(Gen.oneOf(HostGen.ipv4(), HostGen.ipv6())).check(host -> {
            String canonical = HostSyntax.canonicalize(host.text());
            String bare = host.text().replace("[", "").replace("]", "");

            // The JDK parses literals without a lookup; mapped IPv6 comes back as IPv4.
            byte[] spelled = InetAddress.getByName(bare).getAddress();
            byte[] written = InetAddress.getByName(canonical).getAddress();
            assertThat(written).isEqualTo(spelled);
            assertThat(HostSyntax.isIpLiteral(canonical)).isTrue();
        });
    }

    @Test
    void targetsAndAuthoritiesRoundTripThroughTheirText() {
        forAll(TARGETS).check(t -> {
            Target authority = new Target(t.host().text(), t.port());
            Target target = new Target(t.host().text(), t.port());

            assertThat(authority.host()).isEqualTo(t.host().canonical());
            assertThat(target.host()).isEqualTo(t.host().canonical());
            assertThat(target.authority()).isEqualTo(authority.toString());
            assertThat(Target.parse(authority.toString())).isEqualTo(authority);
            assertThat(Target.parse(authority.toString()).toString()).isEqualTo(authority.toString());
            String bracketed = t.host().text().contains(":") && !t.host().text().startsWith("[")
                    ? "[" + t.host().text() + "]"
                    : t.host().text();
            assertThat(Target.parse(bracketed + ":" + t.port())).isEqualTo(authority);
            assertThat(authority.isIpLiteral()).isEqualTo(target.isIpLiteral());
        });
    }

    @Test
    void anyTextGivesACanonicalAsciiHostOrMalformedTarget() {
        forAll(HOSTILE_TEXT)
                .shrinkWith(Shrink.string())
                .check(text -> Outcome.of(() -> HostSyntax.canonicalize(text), MalformedTargetException.class)
                        .ifValue(canonical -> {
                            // RFC 1123 names and IP literals are ASCII; nothing else may pass.
                            assertAscii(text);
                            assertThat(canonical).isEqualTo(HostSyntax.canonicalize(canonical));
                            assertThat(canonical).doesNotContain("[", "]", "%").isLowerCase();
                        }));
    }

    @Test
    void anyTextGivesAnAuthorityThatReparsesToItselfOrMalformedTarget() {
        forAll(HOSTILE_TEXT)
                .shrinkWith(Shrink.string())
                .check(text -> Outcome.of(() -> Target.parse(text), MalformedTargetException.class)
                        .ifValue(authority -> {
                            assertThat(Target.parse(authority.toString())).isEqualTo(authority);
                            assertThat(authority.port()).isBetween(1, 65535);
                        }));
    }

    @Test
    void percentEncodingRoundTripsAnyText() {
        forAll(Gen.unicode(0, 40)).shrinkWith(Shrink.string()).check(text -> {
            String encoded = PercentEncoding.encode(text);

            assertThat(encoded).matches("([A-Za-z0-9._~-]|%[0-9A-F]{2})*");
            assertThat(PercentEncoding.decode(encoded, "text")).isEqualTo(text);
        });
    }

    @Test
    void anyTextPercentDecodesOrIsMalformedTarget() {
        Gen<String> encodedText = Gen.oneOf(
                Gen.strings("%0123456789abcdefABCDEFxyz~.\u00e9\u212a", 0, 24),
                Gen.textMutations(Gen.unicode(0, 12).map(PercentEncoding::encode), "%0aF\u00e9"));

        forAll(encodedText)
                .shrinkWith(Shrink.string())
                .check(text -> Outcome.of(() -> PercentEncoding.decode(text, "text"), MalformedTargetException.class)
                        .ifValue(decoded -> {
                            // Encoding again and decoding only normalizes the spelling.
                            String again = PercentEncoding.encode(decoded);
                            assertThat(PercentEncoding.decode(again, "text")).isEqualTo(decoded);
                            assertAscii(text);
                        }));
    }

    private static void assertAscii(String accepted) {
        assertThat(accepted.chars().allMatch(c -> c < 0x80))
                .as("accepted text is ASCII")
                .isTrue();
    }
}
