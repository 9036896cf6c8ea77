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

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;

class IngressConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Files.writeString(dir.resolve("ingress.crt"), "x");
        Files.writeString(dir.resolve("ingress.key"), "x");
        Path f = dir.resolve("ingress.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void validConfigLoadsWithDefaultsAndResolvesPathsAgainstTheFile() throws Exception {
        IngressConfig c = IngressConfig.load(write("""
                listen: 127.0.0.1:4433
                tls: {certificate: ingress.crt, private-key: ingress.key}
                egress-relays: [127.0.0.1:4434, "[::1]:4434"]
                """));
        assertThat(c.listenAddress().getPort()).isEqualTo(4433);
        assertThat(c.egressRelayAddresses()).hasSize(2);
        assertThat(c.tls().certificate()).isEqualTo(dir.resolve("ingress.crt"));
        assertThat(c.limitsOrDefault().maxTunnelsPerConnection()).isEqualTo(16);
    }

    @Test
    void everyErrorIsReportedWithItsPath() throws Exception {
        Path f = write("""
                listen: 127.0.0.1:70000
                tls: {certificate: missing.crt, private-key: ingress.key}
                egress-relays: [egress.example:443]
                limits: {max-tunnels-per-connection: 0, tunnel-idle-timeout: PT0S}
                """);
        assertThatThrownBy(() -> IngressConfig.load(f))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors())
                                .satisfiesExactlyInAnyOrder(
                                        m -> assertThat(m).startsWith("listen: 127.0.0.1:70000 (expected: ip:port"),
                                        m -> assertThat(m)
                                                .startsWith("tls.certificate: ")
                                                .contains("readable PEM file"),
                                        m -> assertThat(m).startsWith("egress-relays[0]: egress.example:443"),
                                        m -> assertThat(m)
                                                .startsWith(
                                                        "limits.max-tunnels-per-connection: 0 (expected: 1-100000)"),
                                        m -> assertThat(m).startsWith("limits.tunnel-idle-timeout: PT0S")));
    }

    @Test
    void unknownKeysAreRejected() throws Exception {
        Path f = write("""
                listen: 127.0.0.1:4433
                tls: {certificate: ingress.crt, private-key: ingress.key}
                egress-relays: [127.0.0.1:4434]
                limits: {max-tunels: 5}
                """);
        assertThatThrownBy(() -> IngressConfig.load(f))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors())
                                .singleElement()
                                .asString()
                                .startsWith("limits.max-tunels: unknown key")
                                .contains("max-tunnels"));
    }

    @Test
    void wrongTypesAndBrokenYamlAreClearErrors() throws Exception {
        assertThatThrownBy(() -> IngressConfig.load(write("listen: [1, 2]\n")))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors().get(0)).startsWith("listen:"));
        assertThatThrownBy(() -> IngressConfig.load(write("listen: \"unterminated\n")))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors().get(0)).startsWith("not valid YAML"));
        assertThatThrownBy(() -> IngressConfig.load(dir.resolve("nope.yaml")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.errors()).containsExactly("file not found"));
    }
}
