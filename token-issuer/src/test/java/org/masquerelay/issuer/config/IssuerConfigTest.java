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
package org.masquerelay.issuer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.issuer.IssuerFixtures;
import org.masquerelay.protocol.token.BlindRsa;

class IssuerConfigTest {
    static final String ALICE = "alice:9aQeW1c0bXr7u2s8Kp4LzT\n";

    @TempDir
    Path dir;

    @Test
    void loadsAValidConfigWithDefaultsAndPathsRelativeToTheFile() throws Exception {
        Path file = IssuerFixtures.writeConfig(dir.resolve("etc"), ALICE, "");

        IssuerConfig config = IssuerConfig.load(file);

        assertThat(config.listenAddress().getPort()).isZero();
        assertThat(config.issuerName()).isEqualTo("issuer.test");
        assertThat(config.signingKey()).isEqualTo(dir.resolve("etc/issuer.key").toAbsolutePath());
        assertThat(config.apiKeys()).isEqualTo(dir.resolve("etc/api-keys.txt").toAbsolutePath());
        assertThat(config.tokensPerHourOrDefault()).isEqualTo(IssuerConfig.DEFAULT_TOKENS_PER_HOUR);
        assertThat(config.maxBatchOrDefault()).isEqualTo(IssuerConfig.DEFAULT_MAX_BATCH);
        assertThat(config.tls()).isNull();
        assertThat(config.readSigningKey()).isEqualTo(IssuerFixtures.signingKey());
        assertThat(config.readApiKeys().account("9aQeW1c0bXr7u2s8Kp4LzT")).contains("alice");
    }

    @Test
    void takesTheLimitsAndTlsWhenGiven() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tls.crt"), "x");
        Files.writeString(dir.resolve("tls.key"), "x");
        Path file = IssuerFixtures.writeConfig(dir, ALICE, """
                tokens-per-hour: 500
                max-batch: 16
                tls: {certificate: tls.crt, private-key: tls.key}
                """);

        IssuerConfig config = IssuerConfig.load(file);

        assertThat(config.tokensPerHourOrDefault()).isEqualTo(500);
        assertThat(config.maxBatchOrDefault()).isEqualTo(16);
        assertThat(config.tls().certificate()).isEqualTo(dir.resolve("tls.crt").toAbsolutePath());
    }

    @Test
    void reportsEveryErrorAtOnceWithItsPath() throws Exception {
        String secretLine = "bobSecretKeyThatIsLongEnough";
        Files.writeString(dir.resolve("keys.txt"), ALICE + secretLine + "\n" + "carol:tooshort\n");
        Files.writeString(
                dir.resolve("small.key"), SigningKeyFile.toPem(BlindRsa.generateKey(1024, new SecureRandom())));
        Path file = dir.resolve("issuer.yaml");
        Files.writeString(file, """
                listen: localhost:80
                issuer-name: "user@issuer.example"
                signing-key: small.key
                api-keys: keys.txt
                tokens-per-hour: 0
                max-batch: 5000
                tls: {certificate: missing.crt}
                """);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> IssuerConfig.load(file));

        assertThat(e.errors())
                .containsExactly(
                        "listen: localhost:80 (expected: ip:port; localhost (expected: IPv4 or IPv6 literal))",
                        "issuer-name: user@issuer.example (expected: a server name host[:port] (RFC 9577 §2.1.1.1): a DNS"
                                + " name, IPv4 or [IPv6], optional port)",
                        "signing-key: " + dir.resolve("small.key").toAbsolutePath()
                                + " (expected: a PKCS#8 PEM blind-RSA key"
                                + " of 2048 bits; token key modulus has 1024 bits (expected: 2048))",
                        "api-keys line 2: a line without ':' (expected: account-id:api-key)",
                        "api-keys line 3: an api key of 8 characters (expected: 16-512 characters of A-Z a-z 0-9 - . _ ~ + /"
                                + " then optional '=' (RFC 6750 b64token))",
                        "tokens-per-hour: 0 (expected: 1-100000)",
                        "max-batch: 5000 (expected: 1-1000)",
                        "tls.certificate: " + dir.resolve("missing.crt").toAbsolutePath()
                                + " (expected: a readable PEM file)",
                        "tls.private-key: missing (expected: a value)");
        assertThat(e.getMessage())
                .contains("9 error(s)")
                .doesNotContain(secretLine)
                .doesNotContain("tooshort")
                .doesNotContain("9aQeW1c0bXr7u2s8Kp4LzT");
    }

    @Test
    void requiresTheNameTheKeyAndTheAccounts() throws Exception {
        Path file = dir.resolve("issuer.yaml");
        Files.writeString(file, "listen: 127.0.0.1:8443\nsigning-key: nowhere.key\n");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> IssuerConfig.load(file));

        assertThat(e.errors())
                .containsExactly(
                        "issuer-name: missing (expected: a value)",
                        "signing-key: " + dir.resolve("nowhere.key").toAbsolutePath() + " (expected: a readable file)",
                        "api-keys: missing (expected: a value)");
    }

    @Test
    void rejectsUnknownKeys() throws Exception {
        Path file = IssuerFixtures.writeConfig(dir, ALICE, "token-per-hour: 5\n");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> IssuerConfig.load(file));

        assertThat(e.errors())
                .singleElement()
                .asString()
                .startsWith("token-per-hour: unknown key (expected one of:")
                .contains("tokens-per-hour")
                .contains("max-batch")
                .contains("issuer-name");
    }

    @Test
    void acceptsServerNamesWithPortsAndIpLiterals() throws Exception {
        for (String name :
                new String[] {"issuer.example", "issuer.example:8443", "127.0.0.1:9000", "[::1]:443", "a-b.c"}) {
            Path file = IssuerFixtures.writeConfig(dir, ALICE, "").resolveSibling("named.yaml");
            Files.writeString(
                    file,
                    Files.readString(dir.resolve("issuer.yaml"))
                            .replace("issuer-name: issuer.test", "issuer-name: \"" + name + "\""));
            assertThat(IssuerConfig.load(file).issuerName()).as(name).isEqualTo(name);
        }
        for (String name : new String[] {"-issuer.example", "issuer example", "issuer.example,other", "\"q\"", ""}) {
            Path file = dir.resolve("named.yaml");
            Files.writeString(
                    file,
                    Files.readString(dir.resolve("issuer.yaml"))
                            .replace("issuer-name: issuer.test", "issuer-name: '" + name + "'"));
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> IssuerConfig.load(file));
            assertThat(e).as(name).isNotNull();
            assertThat(e.errors()).as(name).singleElement().asString().startsWith("issuer-name: ");
        }
    }
}
