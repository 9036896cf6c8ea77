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

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.masquerelay.tools.bench.IdleTunnels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code masque bench tunnels}: heap per idle tunnel at each relay, with {@code --count} tunnels
 * open (see {@link IdleTunnels}). Not a test: it asserts nothing.
 */
@Command(
        name = "tunnels",
        mixinStandardHelpOptions = true,
        description = {
            "Heap per idle tunnel: both relays in their own JVMs, --count idle connect-udp tunnels",
            "at the ingress and as many idle connect-udp flows at the egress, heap read after a full GC."
        })
final class TunnelsBenchCommand implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "5000", description = "Idle tunnels per relay (default 5000).")
    int count;

    /** Writes a loopback deployment (no tokens, no geo) into {@code dir} and measures it. */
    static List<IdleTunnels.Result> onLoopback(Path dir, int count, PrintStream log) throws Exception {
        LoopbackDeployment.Ports ports = LoopbackDeployment.Ports.free();
        LoopbackDeployment.write(dir, ports, List.of("127.0.0.3"));
        return IdleTunnels.run(
                dir,
                new InetSocketAddress("127.0.0.1", ports.ingress()),
                new InetSocketAddress(LoopbackDeployment.EGRESS_HOST, ports.egress()),
                count,
                log);
    }

    @Override
    public Integer call() throws Exception {
        if (count < 1 || count > 50_000) {
            System.err.println("error: --count takes 1-50000");
            return 2;
        }
        Path dir = Files.createTempDirectory("masque-tunnels");
        try {
            List<IdleTunnels.Result> results = onLoopback(dir, count, System.err);
            System.out.print(String.format(
                    "%nmasque bench tunnels: heap after a full GC, before and with the tunnels open, Java %s%n",
                    Runtime.version()));
            System.out.print(String.format(
                    "  %-8s %8s %12s %12s %14s %14s%n",
                    "relay", "tunnels", "heap before", "heap after", "heap/tunnel", "RSS/tunnel"));
            for (IdleTunnels.Result r : results) {
                System.out.print(String.format(
                        Locale.ROOT,
                        "  %-8s %8d %9.1f MB %9.1f MB %10.1f KiB %10.1f KiB%n",
                        r.relay(),
                        r.tunnels(),
                        r.heapBeforeBytes() / 1e6,
                        r.heapAfterBytes() / 1e6,
                        r.bytesPerTunnel() / 1024,
                        r.rssPerTunnel() / 1024));
            }
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
