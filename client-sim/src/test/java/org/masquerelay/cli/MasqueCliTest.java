package org.masquerelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.protocol.geo.Ed25519Keys;

class MasqueCliTest {
    @TempDir
    Path dir;

    @Test
    void initWritesAValidDeploymentWithTheFixedPorts() throws Exception {
        assertThat(MasqueCli.run("init", dir.toString())).isZero();
        for (String f : new String[] {"ingress.yaml", "egress.yaml", "client.yaml", "ca.crt", "ingress.crt",
                "ingress.key", "egress.crt", "egress.key"}) {
            assertThat(dir.resolve(f)).exists();
        }
        assertThat(Files.readString(dir.resolve("ingress.yaml"))).contains("listen: 127.0.0.1:4433")
                .contains("listen: 127.0.0.1:9433").contains("- 127.0.0.1:4434");
        assertThat(Files.readString(dir.resolve("egress.yaml"))).contains("listen: 127.0.0.1:4434")
                .contains("listen: 127.0.0.1:9434").contains("- 127.0.0.0/8");
        assertThat(MasqueCli.run("ingress", "--config", dir.resolve("ingress.yaml").toString(), "--check-config"))
                .isZero();
        assertThat(MasqueCli.run("egress", "--config", dir.resolve("egress.yaml").toString(), "--check-config"))
                .isZero();
        // Refuses to overwrite existing keys.
        assertThat(MasqueCli.run("init", dir.toString())).isEqualTo(1);
    }

    @Test
    void checkConfigExits78OnErrors() throws Exception {
        Path bad = dir.resolve("egress.yaml");
        Files.writeString(bad, "listen: nowhere\nbogus-key: 1\n");
        assertThat(MasqueCli.run("egress", "--config", bad.toString(), "--check-config")).isEqualTo(78);
        Files.writeString(bad, "listen: 127.0.0.1:1\ningress-prefixes: [10.0.0.1/8]\n");
        assertThat(MasqueCli.run("egress", "--config", bad.toString(), "--check-config")).isEqualTo(78);
        assertThat(MasqueCli.run("ingress", "--config", dir.resolve("missing.yaml").toString(), "--check-config"))
                .isEqualTo(78);
    }

    @Test
    void fetchFailsNonZeroWhenTheIngressIsUnreachable() throws Exception {
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        assertThat(MasqueCli.run("fetch", "http://127.0.0.1:9/", "--config", dir.resolve("client.yaml").toString(),
                "--timeout-seconds", "5")).isNotZero();
        assertThat(MasqueCli.run("fetch", "ftp://127.0.0.1/", "--config", dir.resolve("client.yaml").toString()))
                .isNotZero();
    }

    /** Runs the CLI with captured stdout and stderr. */
    private record Run(int exitCode, String out, String err) {
        static Run of(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exitCode = MasqueCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(exitCode, out.toString(), err.toString());
        }
    }

    @Test
    void keysGenerateWritesAMatchingPairAndPrintsTheDefaultKeyId() throws Exception {
        Path keys = dir.resolve("keys"); // created on demand

        Run run = Run.of("keys", "generate", "--out", keys.toString());

        assertThat(run.exitCode()).isZero();
        String keyId = run.out().strip();
        assertThat(keyId).matches("[A-Za-z0-9_-]{11}");
        PrivateKey privateKey = Ed25519Keys.privateKeyFromPem(Files.readString(keys.resolve(keyId + ".key")));
        PublicKey publicKey = Ed25519Keys.publicKeyFromPem(Files.readString(keys.resolve(keyId + ".pub")));
        assertThat(Ed25519Keys.publicKeyOf(privateKey).getEncoded()).isEqualTo(publicKey.getEncoded());
        assertThat(Ed25519Keys.defaultKeyId(publicKey)).isEqualTo(keyId);
        assertThat(run.err()).contains(keyId + ".key").contains(keyId + ".pub");
    }

    @Test
    void keysGenerateMakesThePrivateKeyOwnerOnly() throws Exception {
        assertThat(Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-1").exitCode()).isZero();

        if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ingress-1.key"))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void keysGenerateUsesTheGivenKeyIdAndRefusesToOverwrite() throws Exception {
        Run first = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-1");
        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isEqualTo("ingress-1" + System.lineSeparator());
        String privatePem = Files.readString(dir.resolve("ingress-1.key"));

        Run again = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-1");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).contains("ingress-1.key already exists; refusing to overwrite keys");
        assertThat(Files.readString(dir.resolve("ingress-1.key"))).isEqualTo(privatePem);

        // A lone public key is enough to refuse: the pair must never be split.
        Files.writeString(dir.resolve("ingress-2.pub"), "keep me");
        Run half = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-2");
        assertThat(half.exitCode()).isEqualTo(1);
        assertThat(dir.resolve("ingress-2.key")).doesNotExist();
        assertThat(Files.readString(dir.resolve("ingress-2.pub"))).isEqualTo("keep me");
    }

    @Test
    void keysGenerateRejectsKeyIdsThatAreNotSafeFileNames() {
        for (String bad : new String[] {"../escape", "a.b", "", "x".repeat(33)}) {
            Run run = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", bad);
            assertThat(run.exitCode()).as(bad).isEqualTo(2);
            assertThat(run.err()).as(bad).contains("--key-id: keyId ");
        }
        assertThat(dir).isEmptyDirectory();
        assertThat(Run.of("keys").exitCode()).isEqualTo(2);
        assertThat(Run.of("keys", "generate").exitCode()).isEqualTo(2);
    }
}
