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

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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
import org.masquerelay.issuer.IssuerServer;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.pool.City;
import org.masquerelay.pool.Geohashes;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.tools.origin.HttpOrigin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole chain on loopback with the files of {@code masque init}: an origin, an egress with
 * the London, Paris and Tokyo pools, a Privacy Pass issuer, an ingress that admits only clients
 * with a token and locates them with {@code geo.csv}, and three clients, one bound to an address
 * of each city; each fetches its tokens from the issuer with the deployment's API key. Each fetches a page through both hops and
 * the report shows what the origin saw: a pool address of the client's city, never the client.
 */
@Command(
        name = "demo",
        description = "Run origin, egress and ingress on loopback and fetch a page through both hops "
                + "from a client in London, Paris and Tokyo.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--bytes", defaultValue = "1048576", description = "Size of the page each client fetches.")
    long bytes;

    /** One simulated client: its address (placed by geo.csv) and the city it should come out of. */
    private record Client(String address, String expectedCity) {}

    private static final List<Client> CLIENTS = List.of(
            new Client("127.1.0.10", "london"), new Client("127.2.0.10", "paris"), new Client("127.3.0.10", "tokyo"));

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("masque-demo");
        try (HttpOrigin origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0))) {
            LoopbackDeployment.write(
                    dir,
                    LoopbackDeployment.Ports.free(),
                    null,
                    LoopbackDeployment.origins(origin.localAddress().getPort()));
            PoolRegistry pool = PoolRegistry.load(dir.resolve("pool.yaml"));
            try (IssuerServer issuer = IssuerServer.start(IssuerConfig.load(dir.resolve("issuer.yaml")));
                    EgressServer egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
                    IngressServer ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")))) {
                System.out.println("issuer   " + issuer.directoryUri() + " (Privacy Pass, token key "
                        + issuer.tokenKeyIdHex().substring(0, 16) + "...)");
                System.out.println("origin   http://" + hostPort(origin.localAddress()));
                System.out.println("egress   " + hostPort(egress.quicAddress()) + " (QUIC), pools: "
                        + pool.cities().stream()
                                .map(c -> c.name() + " " + c.prefixes())
                                .toList());
                System.out.println("ingress  " + hostPort(ingress.quicAddress())
                        + " (QUIC), geo database geo.csv, admits clients with a token");
                System.out.println();
                boolean ok = true;
                for (Client c : CLIENTS) {
                    ok &= run(dir, origin, pool, c);
                }
                System.out.println();
                System.out.println(ok ? "demo OK" : "demo FAILED");
                return ok ? 0 : 1;
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private boolean run(Path dir, HttpOrigin origin, PoolRegistry pool, Client c) throws Exception {
        InetAddress bind = InetAddress.getByName(c.address());
        try (MasqueClient client = new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, bind)) {
            long t0 = System.nanoTime();
            client.connect().get(15, TimeUnit.SECONDS);
            long setup = System.nanoTime() - t0;
            HttpFetcher.Result page = HttpFetcher.fetch(
                            client, origin.uri("/bytes/" + bytes), OutputStream.nullOutputStream(), false)
                    .get(60, TimeUnit.SECONDS);
            ByteArrayOutputStream who = new ByteArrayOutputStream();
            HttpFetcher.fetch(client, origin.uri("/whoami"), who, false).get(30, TimeUnit.SECONDS);
            InetAddress seen = InetAddress.getByName(
                    who.toString(StandardCharsets.US_ASCII).trim());
            Optional<City> city = pool.cities().stream()
                    .filter(x -> x.prefixes().stream().anyMatch(p -> p.contains(seen)))
                    .findFirst();
            Optional<SecChGeohash> presented = client.location();
            String location = presented.map(SecChGeohash::toHeaderValue).orElse("none");
            // What the egress measured: from the asserted cell's centre to the city.
            String distance = presented
                    .flatMap(l -> city.map(x -> String.format(
                            "%.1f km", Geohashes.centre(l.geohash()).distanceKm(x.location()))))
                    .orElse("?");
            System.out.print(String.format(
                    "client %-11s location %-11s -> egress city %-7s source %-13s (%s away)  "
                            + "%d bytes in %.0f ms (setup %.0f ms)%n",
                    c.address(),
                    location,
                    city.map(City::name).orElse("NONE"),
                    seen.getHostAddress(),
                    distance,
                    page.bodyBytes(),
                    page.nanos() / 1e6,
                    setup / 1e6));
            return page.status() == 200
                    && page.bodyBytes() == bytes
                    && city.isPresent()
                    && city.get().id().equals(c.expectedCity())
                    && !seen.equals(bind);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
