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

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.masquerelay.cli.sim.NetRun;
import org.masquerelay.config.ConfigException;
import org.masquerelay.sim.GeoModel;
import org.masquerelay.sim.GeoRun;
import org.masquerelay.sim.Report;
import org.masquerelay.sim.SampleSet;
import org.masquerelay.sim.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code masque sim}: the research simulator (docs/simulator.md). {@code sample} writes an input
 * set, {@code geo} runs model mode, {@code net} emulation mode, and {@code report} turns their
 * output directories into one HTML file.
 */
@Command(
        name = "sim",
        description = "Research simulator: location, anonymity and performance of this relay design.",
        mixinStandardHelpOptions = true,
        subcommands = {
            SimCommand.Sample.class,
            SimCommand.Geo.class,
            SimCommand.Net.class,
            SimCommand.ReportCommand.class
        })
final class SimCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("usage: masque sim sample|geo|net|report ... (masque sim --help)");
    }

    @Command(name = "sample", description = "Write a small, consistent example input set into --out.")
    static final class Sample implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Directory to write into.")
        Path out;

        @Override
        public Integer call() throws Exception {
            List<Path> files = SampleSet.write(out);
            System.out.println(
                    "wrote " + files.size() + " files to " + out + ": " + String.join(", ", SampleSet.FILES));
            System.out.println("next: masque sim geo " + out.resolve("scenario.yaml") + " --out geo-out");
            return 0;
        }
    }

    @Command(
            name = "geo",
            description = "Model mode: the production location path for a synthetic population; no sockets, "
                    + "deterministic for a seed. Exit 0 when every check passes, 1 when one fails, 78 on bad input.")
    static final class Geo implements Callable<Integer> {
        @Parameters(index = "0", description = "The scenario YAML.")
        Path scenario;

        @Option(names = "--out", description = "Output directory (required unless --check-config).")
        @Nullable
        Path out;

        @Option(names = "--check-config", description = "Validate the scenario and its files, exit 78 or 0.")
        boolean checkConfig;

        @Option(names = "--perfect-geo", description = "Skip the geo database: the ingress sees true positions.")
        boolean perfectGeo;

        @Option(names = "--clients", description = "Override the scenario's client count.")
        @Nullable
        Integer clients;

        @Option(names = "--trials", description = "Override the scenario's trial count.")
        @Nullable
        Integer trials;

        @Option(names = "--seed", description = "Override the scenario's seed.")
        @Nullable
        Long seed;

        @Option(names = "--threads", description = "Worker threads (default: cores); outputs do not depend on it.")
        @Nullable
        Integer threads;

        @Override
        public Integer call() throws Exception {
            try {
                if (checkConfig) {
                    GeoModel m = GeoRun.check(scenario, perfectGeo);
                    System.out.println(scenario + ": ok (" + m.scenario().clientsValue() + " clients, "
                            + m.registry().cities().size() + " pool cities)");
                    return 0;
                }
                if (out == null) {
                    System.err.println("masque sim geo: --out DIR is required");
                    return 2;
                }
                int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
                GeoRun.Result r = GeoRun.run(scenario, out, perfectGeo, clients, trials, seed, n);
                System.out.println(String.format(
                        Locale.ROOT,
                        "wrote %s: %,d clients in %.2f s (%,.0f clients/s); checks %s",
                        out,
                        r.clients(),
                        r.seconds(),
                        r.clientsPerSecond(),
                        r.allChecksPass() ? "pass" : "FAIL (see summary.json)"));
                return r.allChecksPass() ? 0 : 1;
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return MasqueCli.EX_CONFIG;
            }
        }
    }

    @Command(
            name = "report",
            description = "One self-contained HTML report, and an SVG per figure beside it, from output directories.")
    static final class ReportCommand implements Callable<Integer> {
        @Parameters(arity = "1..*", description = "Output directories of sim geo and sim net.")
        List<Path> dirs;

        @Option(names = "--out", required = true, description = "The HTML file to write.")
        Path out;

        @Override
        public Integer call() throws Exception {
            for (Path d : dirs) {
                if (!java.nio.file.Files.isReadable(d.resolve("summary.json"))) {
                    System.err.println(
                            "masque sim report: " + d + " has no summary.json (expected: a sim geo or sim net --out)");
                    return 2;
                }
            }
            List<Path> files = Report.write(dirs, out);
            System.out.println("wrote " + out + " and " + (files.size() - 1) + " SVG figures");
            return 0;
        }
    }

    @Command(
            name = "net",
            description =
                    "Emulation mode: real relays on loopback behind an in-process UDP impairment shim, a direct and a "
                            + "two-hop arm interleaved. Exit 0 when no flow failed, 1 otherwise, 78 on bad input.")
    static final class Net implements Callable<Integer> {
        @Parameters(index = "0", description = "The scenario YAML (its net: section).")
        Path scenario;

        @Option(names = "--out", description = "Output directory (required unless --check-config).")
        @Nullable
        Path out;

        @Option(names = "--check-config", description = "Validate the scenario, exit 78 or 0.")
        boolean checkConfig;

        @Override
        public Integer call() throws Exception {
            Scenario s;
            try {
                s = Scenario.load(scenario);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return MasqueCli.EX_CONFIG;
            }
            if (checkConfig) {
                System.out.println(scenario + ": ok");
                return 0;
            }
            if (out == null) {
                System.err.println("masque sim net: --out DIR is required");
                return 2;
            }
            boolean ok = NetRun.run(scenario, s, out);
            System.out.println(
                    "wrote " + out + ": flows.csv, summary.json; " + (ok ? "no errors" : "FAILED (see flows.csv)"));
            return ok ? 0 : 1;
        }
    }
}
