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
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigErrors;
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

    @Test
    void aSpendStoreNeedsARedisUriWithoutASecretAndKnownSettings() {
        ConfigErrors errors = new ConfigErrors();
        new SpendStoreConfig("http://10.0.0.5:6379", null, "retry", Duration.ofSeconds(1), Duration.ZERO)
                .validate("tokens.spend-store", errors);
        new SpendStoreConfig("redis://:hunter2@10.0.0.5:6379", dir.resolve("missing.password"), null, null, null)
                .validate("s", errors);
        new SpendStoreConfig("redis://10.0.0.5", null, null, null, null).validate("t", errors);
        assertThat(errors.all())
                .satisfiesExactly(
                        m -> assertThat(m)
                                .startsWith("tokens.spend-store.uri: http://10.0.0.5:6379 (expected: redis://"),
                        m -> assertThat(m).isEqualTo("tokens.spend-store.on-error: retry (expected: refuse or local)"),
                        m -> assertThat(m).startsWith("tokens.spend-store.token-key-lifetime: PT1S (expected: "),
                        m -> assertThat(m).startsWith("tokens.spend-store.timeout: PT0S (expected: "),
                        m -> assertThat(m)
                                .startsWith("s.uri: <has a password> (expected: no user or password")
                                .doesNotContain("hunter2"),
                        m -> assertThat(m).startsWith("s.password-file: "),
                        m -> assertThat(m)
                                .contains("t.uri: redis://10.0.0.5 (expected: ")
                                .contains("port"));
        SpendStoreConfig ok = new SpendStoreConfig("rediss://10.0.0.5:6380/2", null, null, null, null);
        ConfigErrors none = new ConfigErrors();
        ok.validate("x", none);
        assertThat(none.all()).isEmpty();
        assertThat(ok.displayName()).isEqualTo("rediss://10.0.0.5:6380");
        assertThat(ok.onErrorOrDefault()).isEqualTo(SpendStoreConfig.OnError.REFUSE);
        assertThat(ok.tokenKeyLifetimeOrDefault()).isEqualTo(Duration.ofDays(30));
    }
}
