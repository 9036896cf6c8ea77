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
package org.masquerelay.egress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.protocol.geo.Ed25519Keys;

class EgressConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Files.writeString(dir.resolve("egress.crt"), "x");
        Files.writeString(dir.resolve("egress.key"), "x");
        Files.writeString(
                dir.resolve("k1.pub"),
                Ed25519Keys.publicKeyToPem(
                        Ed25519Keys.generate(new SecureRandom()).getPublic()));
        Files.writeString(dir.resolve("pool.yaml"), """
                cities:
                  - {id: london, name: London, country: GB, region: GB-ENG, latitude: 51.5, longitude: -0.12,
                     prefixes: [192.0.2.0/28]}
                """);
        Path f = dir.resolve("egress.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void validConfigLoadsWithDefaults() throws Exception {
        EgressConfig c = EgressConfig.load(write("""
                listen: 127.0.0.1:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8, "2001:db8::/32"]
                source-addresses: [127.0.0.7]
                destinations: {allow: [127.0.0.0/8]}
                """));
        assertThat(c.ingressPrefixList()).hasSize(2);
        assertThat(c.sourceAddressList()).hasSize(1);
        assertThat(c.tls().privateKey()).isEqualTo(dir.resolve("egress.key"));
        assertThat(c.geo()).isNull();
        assertThat(c.limitsOrDefault().connectTimeout()).isPositive();
    }

    @Test
    void geoSectionLoadsThePoolAndTrustedKeys() throws Exception {
        EgressConfig c = EgressConfig.load(write("""
                listen: 127.0.0.1:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8]
                geo:
                  pool: pool.yaml
                  trusted-keys: [{id: k1, public-key: k1.pub}]
                """));
        assertThat(c.geo().pool()).isEqualTo(dir.resolve("pool.yaml"));
        assertThat(c.geo().keys()).containsOnlyKeys("k1");
    }

    @Test
    void everyErrorIsReportedWithItsPath() throws Exception {
        Files.writeString(dir.resolve("broken.yaml"), "cities: [{id: x}]\n");
        Path f = write("""
                listen: 127.0.0.1:99999
                tls: {certificate: missing.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.1/8]
                source-addresses: [egress.example]
                geo:
                  pool: broken.yaml
                  trusted-keys: [{id: k1, public-key: egress.crt}, {id: k1, public-key: k1.pub}]
                  max-clock-skew: PT1H
                """);
        assertThatThrownBy(() -> EgressConfig.load(f)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("listen: 127.0.0.1:99999"));
            assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("tls.certificate: "));
            assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("ingress-prefixes[0]: 127.0.0.1/8"));
            assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("source-addresses[0]: egress.example"));
            assertThat(e.errors())
                    .anySatisfy(
                            m -> assertThat(m).startsWith("source-addresses: ").contains("absent when geo is set"));
            assertThat(e.errors())
                    .anySatisfy(m -> assertThat(m).startsWith("geo.pool: ").contains("broken.yaml"));
            assertThat(e.errors())
                    .anySatisfy(m -> assertThat(m)
                            .startsWith("geo.trusted-keys[0].public-key: ")
                            .contains("Ed25519"));
            assertThat(e.errors())
                    .anySatisfy(
                            m -> assertThat(m).startsWith("geo.trusted-keys[1].id: k1 (expected: a key id used once)"));
            assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("geo.max-clock-skew: PT1H"));
        });
    }

    @Test
    void allowEntriesTakePortsAndBadOnesSayWhatIsWrong() throws Exception {
        EgressConfig c = EgressConfig.load(write("""
                listen: 127.0.0.1:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8]
                destinations:
                  allow: [10.0.0.0/8, 127.0.0.1:8000, 127.0.0.0/8:8000-8010, "[::1]:8007", "fd00::/8"]
                """));
        assertThat(c.destinationsOrDefault().allowList())
                .containsExactly(
                        AllowedDestination.anyPort(IpPrefix.parse("10.0.0.0/8")),
                        new AllowedDestination(IpPrefix.parse("127.0.0.1/32"), 8000, 8000),
                        new AllowedDestination(IpPrefix.parse("127.0.0.0/8"), 8000, 8010),
                        new AllowedDestination(IpPrefix.parse("::1/128"), 8007, 8007),
                        AllowedDestination.anyPort(IpPrefix.parse("fd00::/8")));

        Path f = write("""
                listen: 127.0.0.1:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8]
                destinations:
                  allow: ["127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:9-8", "[127.0.0.1]:80", "[::1]", "[::1:80",
                          "127.0.0.1:http", "127.0.0.1/8:80"]
                """);
        assertThatThrownBy(() -> EgressConfig.load(f)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.errors())
                    .anySatisfy(m -> assertThat(m)
                            .startsWith("destinations.allow[0]: 127.0.0.1:0 (expected: a CIDR prefix, optionally"
                                    + " with a port or port range")
                            .contains("port 0 (expected: 1-65535)"));
            assertThat(e.errors())
                    .anySatisfy(m ->
                            assertThat(m).startsWith("destinations.allow[1]: ").contains("port 70000"));
            assertThat(e.errors())
                    .anySatisfy(m ->
                            assertThat(m).startsWith("destinations.allow[2]: ").contains("runs backwards"));
            assertThat(e.errors())
                    .anySatisfy(m ->
                            assertThat(m).startsWith("destinations.allow[3]: ").contains("IPv6 only"));
            assertThat(e.errors())
                    .anySatisfy(m ->
                            assertThat(m).startsWith("destinations.allow[4]: ").contains("a port after"));
            assertThat(e.errors())
                    .anySatisfy(m ->
                            assertThat(m).startsWith("destinations.allow[5]: ").contains("no closing ]"));
            assertThat(e.errors())
                    .anySatisfy(m ->
                            assertThat(m).startsWith("destinations.allow[6]: ").contains("port http"));
            assertThat(e.errors())
                    .anySatisfy(m ->
                            assertThat(m).startsWith("destinations.allow[7]: ").contains("host bits"));
        });
    }

    @Test
    void stalledUploadBudgetIsInMibAndHoldsAtLeastOneStalledUpload() throws Exception {
        EgressConfig c = EgressConfig.load(write("""
                listen: 127.0.0.1:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8]
                """));
        assertThat(c.limitsOrDefault().stalledUploadMibPerConnection()).isEqualTo(256);
        assertThat(c.limitsOrDefault().stalledUploadsPerConnection()).isEqualTo(15);
        Path f = write("""
                listen: 127.0.0.1:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8]
                limits: {stalled-upload-mib-per-connection: 16}
                """);
        assertThatThrownBy(() -> EgressConfig.load(f))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors())
                                .anySatisfy(m -> assertThat(m)
                                        .startsWith(
                                                "limits.stalled-upload-mib-per-connection: 16 (expected: 17-1048576 MiB;")
                                        .contains("counted as 17 MiB")));
    }

    @Test
    void unknownKeysAreRejected() throws Exception {
        Path f = write("""
                listen: 127.0.0.1:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8]
                geo: {pool: pool.yaml, trusted-keys: [{id: k1, public-key: k1.pub}], trusted: yes}
                """);
        assertThatThrownBy(() -> EgressConfig.load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("trusted");
    }
}
