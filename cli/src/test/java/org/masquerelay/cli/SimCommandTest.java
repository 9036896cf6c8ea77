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
 * {@code masque sim} as a user runs it, in a real subprocess: sample, check, geo and report, the
 * exit codes, and no progress line when stderr is not a terminal.
 */
class SimCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run masque(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                MasqueCli.class.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("masque " + String.join(" ", args))
                .isTrue();
        return new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void sampleGeoAndReportRunAsTheReadmeShows() throws Exception {
        Path in = dir.resolve("sim");
        assertThat(masque("sim", "sample", "--out", in.toString()).exit()).isZero();
        Run check = masque("sim", "geo", in.resolve("scenario.yaml").toString(), "--check-config");
        assertThat(check.exit()).isZero();
        assertThat(check.out()).contains("ok (5000 clients, 13 pool cities)");

        Run geo = masque(
                "sim",
                "geo",
                in.resolve("scenario.yaml").toString(),
                "--out",
                dir.resolve("geo").toString(),
                "--clients",
                "800");
        assertThat(geo.exit()).as(geo.err()).isZero();
        assertThat(geo.out()).contains("800 clients").contains("clients/s").contains("checks pass");
        assertThat(geo.err()).doesNotContain("\r").doesNotContain("ETA");
        for (String f : List.of(
                "clients.csv", "egress_ip_epochs.csv", "anonymity_summary.csv", "linkability.csv", "summary.json")) {
            assertThat(dir.resolve("geo").resolve(f)).isNotEmptyFile();
        }

        Run report = masque(
                "sim",
                "report",
                dir.resolve("geo").toString(),
                "--out",
                dir.resolve("r/report.html").toString());
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(dir.resolve("r/report.html")).isNotEmptyFile();
        assertThat(dir.resolve("r/report-F4.svg")).isNotEmptyFile();
    }

    @Test
    void badScenariosExit78WithEveryErrorAndItsPath() throws Exception {
        Path in = dir.resolve("sim");
        assertThat(masque("sim", "sample", "--out", in.toString()).exit()).isZero();
        Path scenario = in.resolve("scenario.yaml");
        Files.writeString(
                scenario,
                Files.readString(scenario)
                        .replace("clients: 5000", "clients: 0")
                        .replace("k: 5", "k: 1"));
        Run run = masque("sim", "geo", scenario.toString(), "--check-config");
        assertThat(run.exit()).isEqualTo(MasqueCli.EX_CONFIG);
        assertThat(run.err())
                .contains("scenario.yaml: 2 error(s)")
                .contains("clients: 0")
                .contains("k: 1");

        Files.writeString(
                in.resolve("population.csv"), "Nowhere,GB,51.5,-0.1,0,5\n", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(
                scenario,
                Files.readString(scenario).replace("clients: 0", "clients: 10").replace("k: 1", "k: 5"));
        Files.writeString(
                in.resolve("population.csv"), "city,country,latitude,longitude,weight,spread_km\nA,GB,51.5,-0.1,0,5\n");
        run = masque(
                "sim", "geo", scenario.toString(), "--out", dir.resolve("x").toString());
        assertThat(run.exit()).isEqualTo(MasqueCli.EX_CONFIG);
        assertThat(run.err()).contains("population.csv").contains("weight: a total of 0");
    }
}
