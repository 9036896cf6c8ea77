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
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.ReadmeBlocks;

/**
 * README.md cannot rot: the {@code ```sh} blocks of its sections "Running a deployment" and "Proxy
 * mode" (each section's own text, before its first subsection) run, in order, as one
 * {@code bash -euo pipefail} script through the real {@code ./masque} launcher, against the
 * servers the script itself starts. Every command must exit 0.
 *
 * <p>The script is the README's text with one change: {@code /tmp/relay} becomes a directory
 * under a fresh temporary working directory, in which {@code ./masque} is a symbolic link to the
 * checkout's launcher (so {@code --output page.html} lands there too). The launcher runs the
 * build output of this module's {@code package} phase ({@code MASQUE_SKIP_BUILD=1}: it must not
 * build during a test). The README's fixed ports must be free, or the commands as written could
 * not work; the test says which is taken. Every process the script starts is killed at the end,
 * whatever happens.
 */
class ReadmeIT {
    static final List<String> SECTIONS = List.of("Running a deployment", "Proxy mode");

    /** TCP and UDP ports the README's commands name, by address. */
    static final Map<String, String> TCP = Map.of(
            "127.0.0.1:9435", "issuer",
            "127.0.0.2:9434", "egress admin",
            "127.0.0.1:9433", "ingress admin",
            "127.0.0.1:8000", "origin",
            "127.0.0.1:1080", "SOCKS5 proxy",
            "127.0.0.1:8080", "HTTP proxy");

    static final Map<String, String> UDP = Map.of(
            "127.0.0.2:4434", "egress QUIC",
            "127.0.0.1:4433", "ingress QUIC",
            "127.0.0.1:8007", "origin UDP echo");

    @TempDir
    Path work;

    @Test
    void theReadmeDeploymentAndProxyBlocksRunAsWritten() throws Exception {
        Path root = repositoryRoot();
        Map<String, String> blocks = shellBlocks(Files.readString(root.resolve("README.md")), SECTIONS);
        assertThat(blocks.keySet()).as("sh blocks found").hasSizeGreaterThanOrEqualTo(SECTIONS.size());
        String script = String.join("\n", blocks.values());
        assertThat(script).contains("./masque init /tmp/relay").contains("./masque fetch");
        if (script.contains("curl ")) {
            ExternalClients.require("curl", List.of("curl"), "curl");
        }
        requireFree();
        Files.createSymbolicLink(work.resolve("masque"), root.resolve("masque"));
        String relay = work.resolve("relay").toString();
        String body = "set -x\n" + script.replace("/tmp/relay", relay);

        Path log = work.resolve("readme.log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", body)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("MASQUE_SKIP_BUILD", "1");
        Process bash = pb.start();
        Set<ProcessHandle> started = ConcurrentHashMap.newKeySet();
        int status;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!bash.waitFor(200, TimeUnit.MILLISECONDS)) {
                bash.descendants().forEach(started::add);
                if (System.nanoTime() - deadline > 0) {
                    fail("the README's commands did not finish within 5 minutes:%n%s", tail(log));
                }
            }
            status = bash.exitValue();
        } finally {
            bash.descendants().forEach(started::add);
            started.forEach(ProcessHandle::destroy);
            bash.destroy();
            for (ProcessHandle p : started) {
                p.onExit().get(30, TimeUnit.SECONDS);
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(status)
                .as("README commands, run as written, exit 0; the last ones were:%n%s", tail(log))
                .isZero();
        // What the commands printed is what the README says they print.
        assertThat(Files.readString(work.resolve("page.html")))
                .contains("masque-relay test origin")
                .containsPattern("You reached it from 127\\.101\\.0\\.\\d+ ");
        assertThat(output)
                .containsPattern("sent 1000 received \\d+")
                .contains("127.101.0.0/28,GB,GB-ENG,London,")
                .containsPattern("(?m)^127\\.102\\.0\\.\\d+$"); // --bind 127.2.0.7: Paris
    }

    /** The {@code ```sh} blocks of each section, in the order of the file, keyed by their line. */
    static Map<String, String> shellBlocks(String markdown, List<String> sections) {
        return ReadmeBlocks.shellBlocks(markdown, sections::contains);
    }

    private static void requireFree() throws IOException {
        List<String> taken = new ArrayList<>();
        for (Map.Entry<String, String> e : TCP.entrySet()) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(socket(e.getKey()));
            } catch (IOException busy) {
                taken.add("TCP " + e.getKey() + " (" + e.getValue() + ")");
            }
        }
        for (Map.Entry<String, String> e : UDP.entrySet()) {
            try (DatagramSocket s = new DatagramSocket(socket(e.getKey()))) {
                assertThat(s.isBound()).isTrue();
            } catch (IOException busy) {
                taken.add("UDP " + e.getKey() + " (" + e.getValue() + ")");
            }
        }
        if (!taken.isEmpty()) {
            fail("the README's commands use fixed ports, and these are taken by another process: " + taken);
        }
    }

    private static InetSocketAddress socket(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(
                InetAddress.getByName(hostPort.substring(0, colon)), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isExecutable(p.resolve("masque"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no README.md and masque launcher above " + Path.of("").toAbsolutePath());
    }
}
