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

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures an operator or a newcomer meets, each in one line of plain words, without a stack trace. */
class PlainErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aMalformedUrlIsRefusedBeforeAnyConnection() throws Exception {
        // No relay runs at all: a refusal that needed one would time out instead.
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        String config = dir.resolve("client.yaml").toString();
        CliRun bracket = CliRun.of("fetch", "http://[bad/", "--config", config);
        assertThat(bracket.status()).isEqualTo(2);
        assertThat(bracket.output()).contains("http://[bad/ is not a URL: ").doesNotContain("\tat ");
        CliRun port = CliRun.of("fetch", "http://127.0.0.1:99999/", "--config", config);
        assertThat(port.status()).isEqualTo(2);
        assertThat(port.output()).contains("port 99999 (expected: 1-65535)");
        CliRun ftp = CliRun.of("fetch", "ftp://127.0.0.1/", "--config", config);
        assertThat(ftp.status()).isEqualTo(2);
        assertThat(ftp.output()).contains("only http:// and https:// URLs can be fetched");
        CliRun echo = CliRun.of("udp-echo", "no-port", "--config", config);
        assertThat(echo.status()).isEqualTo(2);
        assertThat(echo.output()).contains("no-port: ").contains("(expected: host:port)");
    }

    /**
     * A bad {@code masque.io} fails the relay that would use it, in one line, and leaves every
     * other command alone (it once broke the construction of the whole command tree).
     */
    @Test
    void aBadTransportNameFailsOnlyTheRelayInPlainWords() throws Exception {
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        String saved = System.getProperty("masque.io");
        System.setProperty("masque.io", "bogus");
        try {
            CliRun version = CliRun.of("--version");
            assertThat(version.status()).as(version.output()).isZero();
            CliRun ingress =
                    CliRun.of("ingress", "--config", dir.resolve("ingress.yaml").toString());
            assertThat(ingress.status()).isNotZero();
            assertThat(ingress.output())
                    .contains("masque.io must be auto, epoll, kqueue or nio, not 'bogus'")
                    .doesNotContain("\tat ");
        } finally {
            if (saved == null) {
                System.clearProperty("masque.io");
            } else {
                System.setProperty("masque.io", saved);
            }
        }
    }

    @Test
    void anUnreachableIngressIsNamedWithItsAddressAndTheTimeout() throws Exception {
        LoopbackDeployment.Ports ports = LoopbackDeployment.Ports.free();
        LoopbackDeployment.write(dir, ports);
        CliRun run = CliRun.of(
                "fetch",
                "http://127.0.0.1:9/",
                "--config",
                dir.resolve("client.yaml").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.output())
                .contains("error: no answer from the ingress at 127.0.0.1:" + ports.ingress() + " within 10 s")
                .doesNotContain("QuicConnectionAddress")
                .doesNotContain("\tat ");
    }

    @Test
    void aTakenPortNamesTheListenerAndTheAddress() throws Exception {
        LoopbackDeployment.Ports ports = LoopbackDeployment.Ports.free();
        LoopbackDeployment.write(dir, ports);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket quic = new DatagramSocket(new InetSocketAddress(lo, ports.ingress()))) {
            CliRun run =
                    CliRun.of("ingress", "--config", dir.resolve("ingress.yaml").toString());
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.output())
                    .contains("error: ingress QUIC listener: cannot bind UDP 127.0.0.1:" + ports.ingress()
                            + ": Address already in use")
                    .doesNotContain("\tat ");
        }
        try (ServerSocket admin = new ServerSocket(ports.ingressAdmin(), 1, lo)) {
            CliRun run =
                    CliRun.of("ingress", "--config", dir.resolve("ingress.yaml").toString());
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.output())
                    .contains(
                            "listener: cannot bind TCP 127.0.0.1:" + ports.ingressAdmin() + ": Address already in use")
                    .contains("admin")
                    .doesNotContain("\tat ");
        }
        try (ServerSocket issuer = new ServerSocket(ports.issuer(), 1, lo)) {
            CliRun run =
                    CliRun.of("issuer", "--config", dir.resolve("issuer.yaml").toString());
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.output())
                    .contains("error: issuer listener: cannot bind TCP 127.0.0.1:" + ports.issuer())
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void initPointedAtAFileSaysSo() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRun run = CliRun.of("init", file.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.output()).contains(file + " is a file, not a directory").doesNotContain("\tat ");
    }

    @Test
    void initTakesFreePortsWhenTheDefaultsAreInUseAndPrintsThem() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        ServerSocket origin;
        try {
            origin = new ServerSocket(InitCommand.ORIGIN_HTTP_PORT, 1, lo);
        } catch (java.io.IOException alreadyTaken) {
            origin = null; // someone else holds it, which is the case under test too
        }
        try {
            CliRun run = CliRun.of("init", dir.resolve("d").toString());
            assertThat(run.status()).isZero();
            assertThat(run.output())
                    .contains("issuer  --config")
                    .contains("origin  --listen 127.0.0.1:")
                    .doesNotContain("--listen 127.0.0.1:" + InitCommand.ORIGIN_HTTP_PORT + " ")
                    .contains("note: some default ports were in use");
            int issuer = run.output().indexOf(" issuer ");
            int egress = run.output().indexOf(" egress ");
            int ingress = run.output().indexOf(" ingress ");
            int fetch = run.output().indexOf(" fetch http://");
            assertThat(issuer).isPositive().isLessThan(egress);
            assertThat(egress).isLessThan(ingress);
            assertThat(ingress).isLessThan(fetch);
        } finally {
            if (origin != null) {
                origin.close();
            }
        }
    }
}
