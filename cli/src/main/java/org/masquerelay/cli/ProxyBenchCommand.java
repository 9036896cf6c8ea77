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

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.proxy.ClientPool;
import org.masquerelay.proxy.ProxyConfig;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loopback benchmark of proxy mode with a real client: curl downloads one body direct, through the
 * local SOCKS5 and HTTP proxies over both hops, and (as the proxy's own cost) the same body through
 * both hops with the in-process fetcher. Medians of {@code --runs}, all in one run so they share
 * the machine's noise. Not a test: it asserts nothing.
 *
 * <p>There is no one-hop row: {@code MasqueClient} always nests its inner connection in a
 * connect-udp tunnel through the ingress, so reaching the egress alone needs a client mode
 * without the outer connection.
 */
@Command(name = "proxy", description = "curl through the local proxy vs direct (medians).")
final class ProxyBenchCommand implements Callable<Integer> {
    @Option(names = "--bytes", defaultValue = "268435456", description = "Download size (default 256 MiB).")
    long bytes;

    @Option(names = "--runs", defaultValue = "3")
    int runs;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("masque-bench-proxy");
        try (HttpOrigin origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0))) {
            // The plain relay pair (no tokens, no location): the bench measures the data path.
            LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), java.util.List.of("127.0.0.3"));
            ClientConfig clientConfig = ClientConfig.load(dir.resolve("client.yaml"));
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (EgressServer egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
                    IngressServer ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
                    MasqueClient fetcher = new MasqueClient(clientConfig, false, null);
                    ProxyServer proxy = ProxyServer.start(
                            ProxyConfig.of(any, any, null, 100, Duration.ofSeconds(30)),
                            new ClientPool(
                                    () -> new MasqueClient(clientConfig, false, null), 100, Duration.ofSeconds(30)))) {
                // Both listeners were asked for, so both are bound.
                InetSocketAddress socksAddress = Objects.requireNonNull(proxy.socksAddress());
                InetSocketAddress httpAddress = Objects.requireNonNull(proxy.httpAddress());
                System.err.println("ingress " + hostPort(ingress.quicAddress()) + ", egress "
                        + hostPort(egress.quicAddress()) + ", socks5 " + hostPort(socksAddress) + ", http "
                        + hostPort(httpAddress));
                fetcher.connect().get(15, TimeUnit.SECONDS);
                String url = origin.uri("/bytes/" + bytes).toString();
                String socks = hostPort(socksAddress);
                String http = "http://" + hostPort(httpAddress);
                String[] names = {
                    "curl direct", "curl socks5h, two hops", "curl -x http, two hops", "in-process fetch, two hops"
                };
                double[][] mbps = new double[names.length][runs];
                for (int i = 0; i < runs; i++) {
                    mbps[0][i] = curl(url);
                    mbps[1][i] = curl(url, "--socks5-hostname", socks);
                    mbps[2][i] = curl(url, "-x", http);
                    HttpFetcher.Result r = HttpFetcher.fetch(
                                    fetcher, origin.uri("/bytes/" + bytes), OutputStream.nullOutputStream(), false)
                            .get(30, TimeUnit.MINUTES);
                    mbps[3][i] = r.bodyBytes() / (r.nanos() / 1e9) / 1e6;
                    System.err.print(String.format(
                            "run %d: direct %.0f, socks5h %.1f, http %.1f, fetch %.1f MB/s%n",
                            i + 1, mbps[0][i], mbps[1][i], mbps[2][i], mbps[3][i]));
                }
                System.out.print(
                        String.format("%nmasque bench proxy: %d runs, medians, %d MiB with curl%n", runs, bytes >> 20));
                double direct = Bench.median(mbps[0]);
                double fetch = Bench.median(mbps[3]);
                for (int k = 0; k < names.length; k++) {
                    double m = Bench.median(mbps[k]);
                    System.out.print(String.format(
                            "  %-28s %8.1f MB/s   vs direct %.3f   vs in-process fetch %.2f%n",
                            names[k], m, m / direct, m / fetch));
                }
                System.out.println(
                        "  one hop (egress only)         n/a: the client always tunnels through the ingress");
                return 0;
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One curl download to /dev/null; its average speed in MB/s. */
    private static double curl(String url, String... proxyArgs) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of("curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}"));
        cmd.addAll(List.of(proxyArgs));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("curl failed: " + cmd + " -> " + out);
        }
        String[] f = out.split(" ");
        if (Double.parseDouble(f[1]) <= 0) {
            throw new IllegalStateException("curl downloaded nothing: " + cmd);
        }
        return Double.parseDouble(f[0]) / 1e6;
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
