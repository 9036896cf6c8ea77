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
package org.masquerelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.YamlConfigLoader;
import org.masquerelay.egress.config.EgressConfig;

/**
 * A config broken in eleven ways at once gets eleven messages from one {@code --check-config}, each
 * with its YAML path and its line and column, in the project's words rather than Jackson's.
 */
class ConfigMessagesTest {
    @TempDir
    Path dir;

    private static final Pattern LOCATED =
            Pattern.compile("^  [a-z][a-z0-9.\\[\\]-]*: .* \\(line \\d+, column \\d+\\)$");

    @Test
    void elevenProblemsGetElevenMessagesEachWithAPathAndALine() throws Exception {
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        Path bad = dir.resolve("bad-egress.yaml");
        Files.writeString(bad, """
                listen: 127.0.0.2:4434
                lisen: 127.0.0.2:4434
                tls:
                  certificate: egress.crt
                  private-key: missing.key
                  colour: blue
                admin:
                  listen: [1, 2]
                ingress-prefixes:
                  - 127.0.0.0/8
                  - 10.0.0.1/8
                destinations:
                  allow: 127.0.0.0/8
                dns:
                  timeout: 10x
                  negative-cache-ttl: 30
                limits:
                  max-flows: lots
                  max-flows-per-connection: -1
                proxy-name: [x]
                """);
        CliRun run = CliRun.of("egress", "--config", bad.toString(), "--check-config");
        assertThat(run.status()).isEqualTo(MasqueCli.EX_CONFIG);
        List<String> lines = run.output().lines().skip(1).toList();
        assertThat(run.output()).startsWith(bad + ": 11 error(s)");
        assertThat(lines).hasSize(11).allMatch(l -> LOCATED.matcher(l).matches(), "path: ... (line L, column C)");
        assertThat(run.output())
                .contains("lisen: unknown key (expected one of: admin, ")
                .contains("(line 2, column 1)")
                .contains("tls.private-key: ")
                .contains("tls.colour: unknown key (expected one of: certificate, private-key) (line 6, column 3)")
                .contains("admin.listen: a list (expected: a string) (line 8, column 3)")
                .contains("ingress-prefixes[1]: 10.0.0.1/8 ")
                .contains("(line 11, column 5)")
                .contains("destinations.allow: \"127.0.0.0/8\" (expected: a list) (line 13, column 3)")
                .contains("dns.timeout: 10x (expected: a duration such as 500ms, 10s, 2m, 1h, 1d or ISO-8601 PT10S)")
                .contains("dns.negative-cache-ttl: 30 (expected: a duration")
                .contains("limits.max-flows: \"lots\" (expected: a whole number) (line 18, column 3)")
                .contains("limits.max-flows-per-connection: -1 (expected: 1-100000) (line 19, column 3)")
                .contains("proxy-name: a list (expected: a string) (line 20, column 1)")
                .doesNotContain("Cannot deserialize")
                .doesNotContain("com.fasterxml");
    }

    @Test
    void syntaxErrorsAMissingFileAndADirectoryAreOneLineEach() throws Exception {
        Path syntax = Files.writeString(dir.resolve("syntax.yaml"), "listen: 127.0.0.1:1\n  bad: indent\n");
        CliRun s = CliRun.of("egress", "--config", syntax.toString(), "--check-config");
        assertThat(s.status()).isEqualTo(MasqueCli.EX_CONFIG);
        assertThat(s.output())
                .contains("not valid YAML at line 2, column 6, in listen: mapping values are not allowed here")
                .doesNotContain("^");
        CliRun missing =
                CliRun.of("egress", "--config", dir.resolve("nope.yaml").toString(), "--check-config");
        assertThat(missing.status()).isEqualTo(MasqueCli.EX_CONFIG);
        assertThat(missing.output()).contains("nope.yaml: 1 error(s)").contains("file not found");
        CliRun directory = CliRun.of("egress", "--config", dir.toString(), "--check-config");
        assertThat(directory.status()).isEqualTo(MasqueCli.EX_CONFIG);
        assertThat(directory.output()).contains("a directory, not a file");
    }

    @Test
    void durationsAcceptTheShortFormsAndIso() throws Exception {
        assertThat(YamlConfigLoader.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(YamlConfigLoader.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(YamlConfigLoader.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(YamlConfigLoader.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(YamlConfigLoader.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(YamlConfigLoader.parseDuration("PT10S")).isEqualTo(Duration.ofSeconds(10));
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        Path egress = dir.resolve("egress.yaml");
        String yaml = Files.readString(egress)
                .replace("connect-timeout: PT10S", "connect-timeout: 10s")
                .replace("udp-idle-timeout: PT2M", "udp-idle-timeout: 2m");
        assertThat(yaml).contains("connect-timeout: 10s").contains("udp-idle-timeout: 2m");
        Files.writeString(egress, yaml);
        EgressConfig c = EgressConfig.load(egress);
        assertThat(c.limits()).isNotNull();
        assertThat(c.limits().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.limits().udpIdleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(CliRun.of("egress", "--config", egress.toString(), "--check-config")
                        .status())
                .isZero();
    }
}
