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
package org.masquerelay.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;

class GeoConfigTest {
    @TempDir
    Path dir;

    private Path write(String geo) throws Exception {
        Files.writeString(dir.resolve("ingress.crt"), "x");
        Files.writeString(dir.resolve("ingress.key"), "x");
        Files.writeString(dir.resolve("geo.csv"), """
                # prefix,lat,lon,country,region,city
                127.1.0.0/24,51.5072,-0.1276,GB,GB-ENG,London
                """);
        KeyPair k = Ed25519Keys.generate(new SecureRandom());
        Files.writeString(dir.resolve("k1.key"), Ed25519Keys.privateKeyToPem(k.getPrivate()));
        Files.writeString(dir.resolve("k1.pub"), Ed25519Keys.publicKeyToPem(k.getPublic()));
        Path f = dir.resolve("ingress.yaml");
        Files.writeString(f, """
                listen: 127.0.0.1:4433
                tls: {certificate: ingress.crt, private-key: ingress.key}
                egress-relays: [127.0.0.1:4434]
                """ + geo);
        return f;
    }

    @Test
    void locatorSignsTheCellOfKnownClientsAndAppliesTheFallbackToOthers() throws Exception {
        IngressConfig c = IngressConfig.load(write("""
                geo:
                  database: geo.csv
                  precision: 4
                  signing-keys: [{id: k1, private-key: k1.key}]
                  unknown-location: fallback
                  fallback: {country: GB, geohash: gc}
                """));
        Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
        try (ClientLocator locator = ClientLocator.open(c.geo(), clock)) {
            GeoAssertion a = GeoAssertion.parse(locator.assertionFor(InetAddress.getByName("127.1.0.9")));
            assertThat(a.location()).isEqualTo(new SecChGeohash("gcpv", "GB"));
            assertThat(a.keyId()).isEqualTo("k1");
            // 10:00 rounds up to the 10-minute window end (10:00 itself), plus one hour's validity.
            assertThat(a.notAfter())
                    .isEqualTo(Instant.parse("2026-11-23T11:00:00Z").getEpochSecond());
            // Unknown address: the configured country-level fallback, and nothing about the client.
            GeoAssertion other = GeoAssertion.parse(locator.assertionFor(InetAddress.getByName("10.9.8.7")));
            GeoAssertion another = GeoAssertion.parse(locator.assertionFor(InetAddress.getByName("192.0.2.1")));
            assertThat(other.location()).isEqualTo(new SecChGeohash("gc", "GB"));
            assertThat(other.toHeaderValue()).isEqualTo(another.toHeaderValue());
        }
    }

    @Test
    void denyPolicyRefusesUnknownClientsWith403() throws Exception {
        IngressConfig c = IngressConfig.load(write("""
                geo:
                  database: geo.csv
                  signing-keys: [{id: k1, private-key: k1.key}]
                """));
        try (ClientLocator locator = ClientLocator.open(c.geo(), Clock.systemUTC())) {
            assertThatThrownBy(() -> locator.assertionFor(InetAddress.getByName("10.9.8.7")))
                    .isInstanceOfSatisfying(
                            RelayException.class,
                            e -> assertThat(e.type()).isEqualTo(ProxyErrorType.HTTP_REQUEST_DENIED));
            assertThat(GeoAssertion.parse(locator.assertionFor(InetAddress.getByName("127.1.0.1")))
                            .geohash())
                    .hasSize(5);
        }
    }

    @Test
    void everyGeoErrorIsReportedWithItsPath() throws Exception {
        Files.writeString(dir.resolve("bad.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Path f = write("""
                geo:
                  database: nowhere.csv
                  precision: 13
                  signing-keys:
                    - {id: k1, private-key: k1.key}
                    - {id: k1, private-key: bad.key}
                    - {id: k3}
                  active-key: k9
                  window: PT0S
                  unknown-location: maybe
                """);
        assertThatThrownBy(() -> IngressConfig.load(f))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors())
                                .satisfiesExactlyInAnyOrder(
                                        m -> assertThat(m)
                                                .startsWith("geo.database: ")
                                                .contains("readable .mmdb or CSV"),
                                        m -> assertThat(m).startsWith("geo.precision: 13 (expected: 1-12)"),
                                        m -> assertThat(m)
                                                .startsWith(
                                                        "geo.signing-keys[1].id: k1 (expected: a key id used once)"),
                                        m -> assertThat(m)
                                                .startsWith("geo.signing-keys[1].private-key: ")
                                                .contains("Ed25519")
                                                .doesNotContain("AAAA"),
                                        m -> assertThat(m).startsWith("geo.signing-keys[2].private-key: missing"),
                                        m -> assertThat(m).startsWith("geo.active-key: k9"),
                                        m -> assertThat(m).startsWith("geo.window: "),
                                        m -> assertThat(m)
                                                .startsWith(
                                                        "geo.unknown-location: maybe (expected: deny | fallback)")));
    }

    @Test
    void fallbackPolicyNeedsAValidFallback() throws Exception {
        Path f = write("""
                geo:
                  database: geo.csv
                  signing-keys: [{id: k1, private-key: k1.key}]
                  unknown-location: fallback
                  fallback: {country: XX, geohash: gcA}
                """);
        assertThatThrownBy(() -> IngressConfig.load(f))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors())
                                .satisfiesExactlyInAnyOrder(
                                        m -> assertThat(m).startsWith("geo.fallback.country: XX"),
                                        m -> assertThat(m).startsWith("geo.fallback.geohash: gcA")));
    }
}
