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

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.masquerelay.ingress.config.LimitsConfig;
import org.masquerelay.tools.bench.FloodBench;
import org.masquerelay.tools.origin.HttpOrigin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code masque bench flood}: throughput and a new client's wait under a flood of spoofed Initials. */
@Command(
        name = "flood",
        mixinStandardHelpOptions = true,
        description = {
            "A two-hop transfer and a new client's first fetch, quiet and under a flood of real QUIC",
            "Initials from spoofed loopback addresses, with the ingress's handshake budget and without",
            "one (the baseline), in one run. Relays run in JVMs of their own, one event loop each."
        })
final class FloodBenchCommand implements Callable<Integer> {
    @Option(names = "--rate", defaultValue = "10000", description = "Forged Initials per second.")
    int rate;

    @Option(names = "--addresses", defaultValue = "1024", description = "Spoofed source addresses (127.77.0.0/16).")
    int addresses;

    @Option(
            names = "--budget",
            description = "The ingress's limits.handshakes-per-second (default: the relay's default).")
    int budget = LimitsConfig.DEFAULT_HANDSHAKES_PER_SECOND;

    @Option(names = "--bytes", defaultValue = "33554432", description = "Transfer size (default 32 MiB).")
    long bytes;

    @Option(names = "--runs", defaultValue = "3", description = "Quiet and flooded transfers per arm, alternating.")
    int runs;

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || addresses < 1 || addresses > 65_534 || budget < 1 || bytes < 1 || runs < 1) {
            System.err.println("error: --rate, --budget, --bytes and --runs take 1 or more, --addresses 1-65534");
            return 2;
        }
        Path dir = Files.createTempDirectory("masque-bench-flood");
        try (HttpOrigin origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0))) {
            LoopbackDeployment.Ports ports = LoopbackDeployment.Ports.free();
            // The plain relay pair (no tokens, no location): the bench measures the ingress.
            LoopbackDeployment.write(dir, ports, List.of("127.0.0.3"));
            FloodBench.Result[] results = FloodBench.run(
                    dir,
                    new InetSocketAddress("127.0.0.1", ports.ingress()),
                    new InetSocketAddress("127.0.0.1", ports.ingressAdmin()),
                    ports.egress(),
                    origin,
                    budget,
                    rate,
                    addresses,
                    bytes,
                    runs,
                    System.err);
            StringBuilder out = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%nmasque bench flood: %d forged Initials/s from %d spoofed addresses, %d MiB two-hop"
                            + " transfers, %d runs, medians%n",
                    rate,
                    addresses,
                    bytes >> 20,
                    runs));
            out.append(String.format(
                    Locale.ROOT,
                    "  %-14s %10s %10s %6s %22s %9s %9s %15s %8s%n",
                    "ingress",
                    "quiet MB/s",
                    "flood MB/s",
                    "ratio",
                    "new client ms (q / f)",
                    "Initial/s",
                    "Retry/s",
                    "ingress CPU q/f",
                    "failures"));
            for (FloodBench.Result r : results) {
                out.append(String.format(
                        Locale.ROOT,
                        "  %-14s %10.1f %10.1f %6.2f %10.0f / %-9.0f %9.0f %9.0f %8.0f%% / %3.0f%% %8d%n",
                        r.arm(),
                        r.quietMBps(),
                        r.floodMBps(),
                        r.floodMBps() / r.quietMBps(),
                        r.quietNewClientMillis(),
                        r.floodNewClientMillis(),
                        r.floodRate(),
                        r.retriesPerSecond(),
                        r.quietIngressCores() * 100,
                        r.floodIngressCores() * 100,
                        r.failures()));
            }
            System.out.print(out);
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
