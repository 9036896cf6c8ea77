package org.masquerelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void proxyOptionErrorsExit78BeforeAnythingBinds() throws Exception {
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        String config = dir.resolve("client.yaml").toString();
        assertThat(MasqueCli.run("proxy", "--config", config)).as("no listener").isEqualTo(78);
        assertThat(MasqueCli.run("proxy", "--config", config, "--socks", "localhost:1080")).isEqualTo(78);
        assertThat(MasqueCli.run("proxy", "--config", config, "--http", "127.0.0.1:0",
                "--max-streams-per-connection", "0")).isEqualTo(78);
        assertThat(MasqueCli.run("proxy", "--config", config, "--socks", "127.0.0.1:0",
                "--socks-auth", dir.resolve("missing").toString())).isEqualTo(78);
        assertThat(MasqueCli.run("proxy", "--config", dir.resolve("missing.yaml").toString(), "--socks",
                "127.0.0.1:0")).isEqualTo(78);
    }
}
