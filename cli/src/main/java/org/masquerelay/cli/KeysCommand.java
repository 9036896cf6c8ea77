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
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.protocol.geo.SigningKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code masque keys}: the ingress's Ed25519 geo-assertion signing keys (docs/architecture.md §4). The private
 * key stays with the ingress; the public key goes into every egress's trust list under the same
 * key id.
 */
@Command(
        name = "keys",
        description = "Manage the Ed25519 keys that sign geo assertions.",
        subcommands = KeysCommand.Generate.class)
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /**
     * {@code masque keys generate --out DIR [--key-id ID]}: writes {@code <id>.key} (PKCS#8 PEM,
     * mode 0600 where the file system is POSIX) and {@code <id>.pub} (SubjectPublicKeyInfo PEM),
     * prints the key id alone on stdout for scripts, and never overwrites a file.
     */
    @Command(name = "generate", description = "Generate a key pair: <id>.key (private, 0600) and <id>.pub.")
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, description = "Directory to write into (created if missing).")
        Path dir;

        @Option(
                names = "--key-id",
                description = "Key id, 1-32 of A-Za-z0-9_- (default: derived from the "
                        + "public key: base64url of the first 8 bytes of SHA-256 over its SubjectPublicKeyInfo).")
        @Nullable
        String keyId;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            SigningKey key = newKey();
            Path privateFile = dir.resolve(key.keyId() + ".key");
            Path publicFile = dir.resolve(key.keyId() + ".pub");
            for (Path file : new Path[] {privateFile, publicFile}) {
                if (Files.exists(file)) {
                    err.println("error: " + file + " already exists; refusing to overwrite keys");
                    return 1;
                }
            }
            Files.createDirectories(dir);
            try {
                writeNew(privateFile, Ed25519Keys.privateKeyToPem(key.privateKey()), true);
                try {
                    writeNew(publicFile, Ed25519Keys.publicKeyToPem(key.publicKey()), false);
                } catch (IOException e) {
                    Files.deleteIfExists(privateFile); // no private key without its public half
                    throw e;
                }
            } catch (FileAlreadyExistsException e) {
                err.println("error: " + e.getFile() + " appeared meanwhile; refusing to overwrite keys");
                return 1;
            }
            out.println(key.keyId());
            err.println("wrote " + privateFile + " (keep secret, ingress only) and " + publicFile
                    + " (for the egresses' trusted keys)");
            return 0;
        }

        private SigningKey newKey() {
            var pair = Ed25519Keys.generate(new SecureRandom());
            try {
                return keyId == null ? SigningKey.of(pair.getPrivate()) : SigningKey.of(keyId, pair.getPrivate());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--key-id: " + e.getMessage());
            }
        }

        /**
         * Creates {@code file}, failing if it exists. A secret file is created with mode 0600 from
         * the start, so no other user can open it between creation and a later chmod.
         */
        static void writeNew(Path file, String text, boolean secret) throws IOException {
            // A bare file name has no parent; its absolute path always has one.
            Path dir = Objects.requireNonNull(file.toAbsolutePath().getParent());
            FileAttribute<?>[] attributes = secret && isPosix(dir)
                    ? new FileAttribute<?>[] {
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                    }
                    : new FileAttribute<?>[0];
            Files.createFile(file, attributes);
            try (OutputStream stream = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
                stream.write(text.getBytes(StandardCharsets.US_ASCII));
            }
        }

        private static boolean isPosix(Path dir) throws IOException {
            return Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        }
    }
}
