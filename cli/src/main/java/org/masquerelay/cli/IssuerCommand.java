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

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.masquerelay.config.ConfigException;
import org.masquerelay.issuer.IssuerServer;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.issuer.config.SigningKeyFile;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.TokenKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code masque issuer --config FILE [--check-config]}: the Privacy Pass issuer (RFC 9578,
 * docs/architecture.md §5), run like a relay: every config error with its YAML path and exit 78, then serve until
 * SIGTERM. {@code masque issuer keygen --out FILE} creates its signing key.
 *
 * <p>{@code --config} is declared required by {@link RelayCommand}, but picocli checks a parent's
 * required options even when a subcommand runs, which would make {@code keygen} ask for a config.
 * So a model transformer relaxes it here and {@link #load} asks for it instead, with the same
 * usage error and exit status 2.
 */
@Command(
        name = "issuer",
        description = "Run the Privacy Pass token issuer (RFC 9578, token type 0x0002).",
        subcommands = IssuerCommand.Keygen.class,
        modelTransformer = IssuerCommand.ConfigOnlyWithoutSubcommand.class)
final class IssuerCommand extends RelayCommand<IssuerConfig> {
    /**
     * How long SIGTERM lets requests in progress finish. A token request takes milliseconds; and
     * on JDK 17 {@code HttpServer.stop} waits out the whole delay even when idle (JDK-8304065).
     */
    static final Duration DRAIN = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Override
    IssuerConfig load(Path file) throws ConfigException {
        if (file == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Missing required option: '--config=<config>'");
        }
        return IssuerConfig.load(file);
    }

    @Override
    Runnable start(IssuerConfig config) throws Exception {
        IssuerServer server = IssuerServer.start(config);
        System.err.println("issuer " + server.issuerName() + " on "
                + server.directoryUri().resolve("/") + ", token key id " + server.tokenKeyIdHex());
        return () -> server.close(DRAIN);
    }

    /** Makes {@code --config} optional in the parser; {@link #load} still requires it to run. */
    static final class ConfigOnlyWithoutSubcommand implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            OptionSpec config = spec.findOption("--config");
            spec.remove(config);
            spec.addOption(config.toBuilder().required(false).build());
            return spec;
        }
    }

    /**
     * {@code masque issuer keygen --out FILE}: a new blind-RSA 2048 key (RFC 9578 §6.5) as PKCS#8
     * PEM, created with mode 0600 where the file system is POSIX, never over an existing file. On
     * stdout it prints the token key id (hex SHA-256 of the key, RFC 9578 §6.5) and the
     * "token-key" value (padded base64url SubjectPublicKeyInfo, as in the directory and in RFC 9577
     * challenges), for configuring verifiers out of band.
     */
    @Command(name = "keygen", description = "Generate the issuer's signing key: PKCS#8 PEM, mode 0600.")
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, description = "The key file to create (never overwritten).")
        Path out;

        @Override
        public Integer call() throws IOException {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter stderr = spec.commandLine().getErr();
            if (Files.exists(out)) {
                stderr.println("error: " + out + " already exists; refusing to overwrite a key");
                return 1;
            }
            BlindRsaPrivateKey key = PublicTokenIssuance.generateKey(new SecureRandom());
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            try {
                KeysCommand.Generate.writeNew(out.toAbsolutePath(), SigningKeyFile.toPem(key), true);
            } catch (FileAlreadyExistsException e) {
                stderr.println("error: " + out + " appeared meanwhile; refusing to overwrite a key");
                return 1;
            }
            TokenKey tokenKey = TokenKey.of(key.publicKey());
            stdout.println("token-key-id: " + HexFormat.of().formatHex(tokenKey.tokenKeyId()));
            stdout.println("token-key: " + Base64.getUrlEncoder().encodeToString(tokenKey.encode()));
            stderr.println("wrote " + out + " (keep secret, issuer only)");
            return 0;
        }
    }
}
