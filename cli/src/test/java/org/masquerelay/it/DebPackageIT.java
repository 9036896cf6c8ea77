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
package org.masquerelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/build-deb.sh} builds a {@code .deb} from this module's package output, holding the
 * jars, the {@code masque} command, the three systemd units, the sysusers file and the sample
 * configs; extracted, its jars run the CLI on their own (here: {@code init} and both relays'
 * {@code --check-config} on what it wrote). Needs {@code dpkg-deb}; skipped without it unless
 * {@code -Dmasque.requireClients=true}.
 */
class DebPackageIT {
    @TempDir
    Path work;

    private record Result(int status, String output) {}

    @Test
    void theDebHoldsTheCommandUnitsAndSamplesAndItsJarsRun() throws Exception {
        ExternalClients.require("dpkg-deb", List.of("dpkg-deb"), "dpkg");
        Path root = repositoryRoot();
        Result built = run(List.of("bash", root.resolve("deploy/build-deb.sh").toString(), work.toString()));
        assertThat(built.status()).as(built.output()).isZero();
        Path deb = Path.of(built.output()
                .lines()
                .filter(l -> l.endsWith(".deb"))
                .reduce((a, b) -> b)
                .orElseThrow());
        assertThat(deb).exists().hasFileName("masque-relay_0.1.0~snapshot_amd64.deb");

        Result fields = run(List.of("dpkg-deb", "-f", deb.toString(), "Package", "Architecture", "Depends"));
        assertThat(fields.output())
                .contains("Package: masque-relay")
                .contains("Architecture: amd64")
                .contains("openjdk-17-jre-headless");
        Result contents = run(List.of("dpkg-deb", "-c", deb.toString()));
        assertThat(contents.output())
                .contains("./usr/bin/masque")
                .contains("./lib/systemd/system/masque-ingress.service")
                .contains("./lib/systemd/system/masque-egress.service")
                .contains("./lib/systemd/system/masque-issuer.service")
                .contains("./usr/lib/sysusers.d/masque.conf")
                .contains("./usr/share/doc/masque-relay/examples/issuer.yaml")
                .contains("./opt/masque/lib/cli-0.1.0-SNAPSHOT.jar")
                .contains("./opt/masque/lib/netty-codec-native-quic-");

        Path tree = work.resolve("root");
        assertThat(run(List.of("dpkg-deb", "-x", deb.toString(), tree.toString()))
                        .status())
                .isZero();
        assertThat(Files.readString(tree.resolve("usr/bin/masque"))).contains("-cp '/opt/masque/lib/*'");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = tree.resolve("opt/masque/lib") + "/*";
        Path dir = work.resolve("deployment");
        Result init = run(List.of(java, "-cp", cp, "org.masquerelay.cli.MasqueCli", "init", dir.toString()));
        assertThat(init.status()).as(init.output()).isZero();
        for (String relay : new String[] {"ingress", "egress", "issuer"}) {
            Result check = run(List.of(
                    java,
                    "-cp",
                    cp,
                    "org.masquerelay.cli.MasqueCli",
                    relay,
                    "--config",
                    dir.resolve(relay + ".yaml").toString(),
                    "--check-config"));
            assertThat(check.status()).as(relay + ": " + check.output()).isZero();
        }
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        pb.environment().put("MASQUE_SKIP_BUILD", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(timed out)");
        }
        return new Result(p.exitValue(), out);
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/build-deb.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no deploy/build-deb.sh above " + Path.of("").toAbsolutePath());
    }
}
