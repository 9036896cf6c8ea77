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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.issuer.IssuerFixtures;
import org.masquerelay.issuer.config.SigningKeyFile;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.TokenKey;

class IssuerCommandTest {
    @TempDir
    Path dir;

    /** Output of one CLI run: what picocli printed and what the command wrote to System.out/err. */
    private record Result(int exitCode, String out, String err) {}

    private static Result masque(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream systemOut = new ByteArrayOutputStream();
        ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        System.setOut(new PrintStream(systemOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
        int exitCode;
        try {
            exitCode = MasqueCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Result(
                exitCode,
                out + systemOut.toString(StandardCharsets.UTF_8),
                err + systemErr.toString(StandardCharsets.UTF_8));
    }

    @Test
    void keygenWritesAnOwnerOnlyKeyThatTheIssuerReadsAndPrintsItsId() throws Exception {
        Path file = dir.resolve("keys/issuer.key"); // the directory is created on demand

        Result run = masque("issuer", "keygen", "--out", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        BlindRsaPrivateKey key = SigningKeyFile.read(file);
        TokenKey tokenKey = TokenKey.of(key.publicKey());
        assertThat(run.out())
                .isEqualTo("token-key-id: " + HexFormat.of().formatHex(tokenKey.tokenKeyId())
                        + System.lineSeparator() + "token-key: "
                        + Base64.getUrlEncoder().encodeToString(tokenKey.encode())
                        + System.lineSeparator());
        assertThat(run.err()).contains("wrote " + file);
        if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }

        String pem = Files.readString(file);
        Result again = masque("issuer", "keygen", "--out", file.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already exists; refusing to overwrite a key");
        assertThat(Files.readString(file)).isEqualTo(pem);
    }

    @Test
    void checkConfigAcceptsAValidConfig() throws Exception {
        Path config = IssuerFixtures.writeConfig(dir, "alice:9aQeW1c0bXr7u2s8Kp4LzT\n", "");

        Result run = masque("issuer", "--config", config.toString(), "--check-config");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(config + ": ok");
    }

    @Test
    void checkConfigPrintsEveryErrorAndExits78() throws Exception {
        Path config = IssuerFixtures.writeConfig(dir, "alice:9aQeW1c0bXr7u2s8Kp4LzT\nnot a line\n", "max-batch: 0\n");

        Result run = masque("issuer", "--config", config.toString(), "--check-config");

        assertThat(run.exitCode()).isEqualTo(MasqueCli.EX_CONFIG);
        assertThat(run.err())
                .contains("2 error(s)")
                .contains("api-keys line 2: a line without ':'")
                .contains("max-batch: 0 (expected: 1-1000)")
                .doesNotContain("9aQeW1c0bXr7u2s8Kp4LzT");
        assertThat(masque("issuer", "--config", dir.resolve("missing.yaml").toString())
                        .exitCode())
                .isEqualTo(MasqueCli.EX_CONFIG);
    }

    @Test
    void runningWithoutAConfigIsAUsageError() {
        Result run = masque("issuer");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--config=<config>'");
        assertThat(masque("issuer", "keygen").exitCode()).isEqualTo(2);
    }
}
