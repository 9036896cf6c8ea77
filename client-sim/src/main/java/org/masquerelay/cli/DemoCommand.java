package org.masquerelay.cli;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
import org.masquerelay.tools.origin.HttpOrigin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = "Run origin, egress and ingress on loopback and fetch a page through both hops.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--bytes", defaultValue = "1048576", description = "Size of the page to fetch.")
    long bytes;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("masque-demo");
        try (HttpOrigin origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0))) {
            LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), java.util.List.of("127.0.0.1"));
            try (EgressServer egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
                 IngressServer ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
                 MasqueClient client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false,
                         java.net.InetAddress.getByName("127.0.0.1"))) {
                System.out.println("origin   http://" + hostPort(origin.localAddress()));
                System.out.println("egress   " + hostPort(egress.quicAddress()) + " (QUIC)");
                System.out.println("ingress  " + hostPort(ingress.quicAddress()) + " (QUIC)");
                long t0 = System.nanoTime();
                client.connect().get(15, TimeUnit.SECONDS);
                long setup = System.nanoTime() - t0;
                HttpFetcher.Result page = HttpFetcher.fetch(client, origin.uri("/bytes/" + bytes),
                        java.io.OutputStream.nullOutputStream(), false).get(60, TimeUnit.SECONDS);
                ByteArrayOutputStream who = new ByteArrayOutputStream();
                HttpFetcher.fetch(client, origin.uri("/whoami"), who, false).get(30, TimeUnit.SECONDS);
                String seen = who.toString(StandardCharsets.US_ASCII).trim();
                System.out.printf("""

                        fetched  %s through ingress -> egress
                        status   %d
                        bytes    %d
                        time     %.1f ms (tunnel setup %.1f ms, two QUIC handshakes nested)
                        rate     %.1f MB/s
                        origin saw source address %s (the egress's, never the client's)
                        %n""", origin.uri("/bytes/" + bytes), page.status(), page.bodyBytes(), page.nanos() / 1e6,
                        setup / 1e6, page.bodyBytes() / (page.nanos() / 1e9) / 1e6, seen);
                boolean ok = page.status() == 200 && page.bodyBytes() == bytes && !seen.isEmpty();
                System.out.println(ok ? "demo OK" : "demo FAILED");
                return ok ? 0 : 1;
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
