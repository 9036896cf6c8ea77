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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code masque bench}: the loopback benchmark of {@link Bench}, four arms in one run (direct
 * TCP, one plain QUIC stream, one hop, two hops) with per-hop accounting and ratios. Not a test:
 * it asserts nothing; the regression guard in the build is a separate, far smaller run.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark direct TCP, one plain QUIC+HTTP/3 stream, one hop and two hops on loopback, in one run:",
            "throughput medians after warm-up, per-hop CPU, packets, syscalls and drops, and datagram RTT."
        },
        subcommands = {ProxyBenchCommand.class, TunnelsBenchCommand.class, FloodBenchCommand.class})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--bytes", defaultValue = "67108864", description = "Bytes per bulk run (default 64 MiB).")
    long bytes;

    @Option(names = "--runs", defaultValue = "5", description = "Measured runs per arm (median).")
    int runs;

    @Option(
            names = "--max-warmup",
            defaultValue = "15",
            description = "Warm-up runs at most per arm; warm-up ends earlier once throughput stops rising.")
    int maxWarmup;

    @Option(names = "--datagrams", defaultValue = "2000", description = "Datagrams per RTT run.")
    int datagrams;

    @Option(names = "--size", defaultValue = "1200", description = "Datagram payload bytes (8-1280).")
    int size;

    @Option(
            names = "--profile",
            paramLabel = "FILE",
            description = "Record a JFR profile of the whole run to FILE and print the top frames per hop.")
    Path profile;

    @Option(
            names = "--clients",
            split = ",",
            defaultValue = "1,2,4",
            paramLabel = "N",
            description = "Client counts of the two-hop scaling table (default 1,2,4); 0 for none.")
    List<Integer> clients;

    @Option(
            names = "--capsules",
            description = "Also measure two hops with the tunnel on DATAGRAM capsules: over QUIC (h3-caps) and over"
                    + " HTTP/2 on TCP, the fallback for networks that block UDP (h2-caps).")
    boolean capsules;

    @Override
    public Integer call() throws Exception {
        List<Integer> scaling = clients.stream().filter(n -> n != 0).toList();
        if (scaling.stream().anyMatch(n -> n < 0 || n > 64)) {
            System.err.println("error: --clients takes counts of 1-64 (or 0 for no scaling table)");
            return 2;
        }
        if (bytes < 1 || runs < 1 || maxWarmup < 1 || datagrams < 1 || size < 8 || size > 1280) {
            System.err.println("error: --bytes, --runs, --max-warmup and --datagrams must be positive, --size 8-1280");
            return 2;
        }
        Bench.Options options = new Bench.Options(
                bytes, runs, maxWarmup, datagrams, size, Optional.ofNullable(profile), scaling, capsules);
        Bench.Report report = new Bench(options, System.err).run();
        Bench.print(report, options, System.out);
        return 0;
    }
}
