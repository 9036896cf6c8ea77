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

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.UdpEchoProbe;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.tools.origin.HttpOrigin;
import org.masquerelay.tools.origin.UdpEchoServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loopback benchmark: bulk TCP throughput and datagram RTT, direct and through both hops, in
 * one run so the baseline shares the machine's current noise. Medians of {@code --runs}.
 * Outer packets are 1452-byte UDP payloads, inner ones 1350. Not a test: it asserts nothing.
 */
@Command(
        name = "bench",
        description = "Benchmark direct versus two hops on loopback (medians).",
        subcommands = ProxyBenchCommand.class)
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--bytes", defaultValue = "67108864", description = "Bulk transfer size.")
    long bytes;

    @Option(names = "--runs", defaultValue = "3")
    int runs;

    @Option(names = "--datagrams", defaultValue = "1000")
    int datagrams;

    @Option(names = "--size", defaultValue = "1200", description = "Datagram payload bytes.")
    int size;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("masque-bench");
        try (HttpOrigin origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
                UdpEchoServer echo = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0))) {
            // The plain relay pair (no tokens, no location): the bench measures the data path.
            LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), java.util.List.of("127.0.0.1"));
            try (EgressServer egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
                    IngressServer ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
                    MasqueClient client =
                            new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, null)) {
                client.connect().get(15, TimeUnit.SECONDS);
                double[] direct = new double[runs];
                double[] twoHop = new double[runs];
                double[] rttDirect50 = new double[runs];
                double[] rttDirect99 = new double[runs];
                double[] rttTwoHop50 = new double[runs];
                double[] rttTwoHop99 = new double[runs];
                for (int i = 0; i < runs; i++) {
                    direct[i] = directMBps(origin.localAddress(), bytes);
                    HttpFetcher.Result r = HttpFetcher.fetch(
                                    client, origin.uri("/bytes/" + bytes), OutputStream.nullOutputStream(), false)
                            .get(10, TimeUnit.MINUTES);
                    twoHop[i] = r.bodyBytes() / (r.nanos() / 1e9) / 1e6;
                    long[] d = directRtt(echo.localAddress(), datagrams, size);
                    rttDirect50[i] = d[0] / 1e3;
                    rttDirect99[i] = d[1] / 1e3;
                    UdpEchoProbe.Result u = UdpEchoProbe.run(
                            client, "127.0.0.1", echo.localAddress().getPort(), datagrams, size, 200_000, 3000);
                    rttTwoHop50[i] = u.p50Nanos() / 1e3;
                    rttTwoHop99[i] = u.p99Nanos() / 1e3;
                    System.err.printf(
                            "run %d: direct %.0f MB/s, two hops %.1f MB/s, delivered %d/%d%n",
                            i + 1, direct[i], twoHop[i], u.received(), u.sent());
                }
                System.out.printf(
                        "%nmasque bench: %d runs, medians (%d MiB bulk, %d x %d B datagrams)%n",
                        runs, bytes >> 20, datagrams, size);
                System.out.printf(
                        "  bulk TCP     direct %8.1f MB/s   two hops %8.1f MB/s   ratio %.3f%n",
                        median(direct), median(twoHop), median(twoHop) / median(direct));
                System.out.printf(
                        "  RTT p50      direct %8.0f us     two hops %8.0f us     ratio %.1f%n",
                        median(rttDirect50), median(rttTwoHop50), median(rttTwoHop50) / median(rttDirect50));
                System.out.printf(
                        "  RTT p99      direct %8.0f us     two hops %8.0f us     ratio %.1f%n",
                        median(rttDirect99), median(rttTwoHop99), median(rttTwoHop99) / median(rttDirect99));
                return 0;
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double directMBps(InetSocketAddress origin, long n) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(origin);
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            out.write(("GET /bytes/" + n + " HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            int r;
            while ((r = in.read(buf)) > 0) {
                total += r;
            }
            return total / ((System.nanoTime() - t0) / 1e9) / 1e6;
        }
    }

    private static long[] directRtt(InetSocketAddress echo, int count, int size) throws Exception {
        long[] rtt = new long[count];
        int got = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(echo);
            s.setSoTimeout(1000);
            byte[] out = new byte[size];
            byte[] in = new byte[size + 16];
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                s.send(new DatagramPacket(out, out.length));
                try {
                    s.receive(new DatagramPacket(in, in.length));
                    rtt[got++] = System.nanoTime() - t0;
                } catch (java.net.SocketTimeoutException lost) {
                    // counted as missing
                }
            }
        }
        long[] sorted = Arrays.copyOf(rtt, got);
        Arrays.sort(sorted);
        return new long[] {pct(sorted, 0.5), pct(sorted, 0.99)};
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
