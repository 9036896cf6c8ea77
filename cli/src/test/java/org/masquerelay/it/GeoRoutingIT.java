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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.cli.MasqueCli;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.ProxyResponseException;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.issuer.IssuerServer;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.pool.City;
import org.masquerelay.pool.Geofeed;
import org.masquerelay.pool.GeofeedEntry;
import org.masquerelay.pool.Geohashes;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.geo.AssertionWindow;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.geo.GeoAssertionSigner;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.geo.SigningKey;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * Geo-preserving egress end to end (docs/architecture.md §4) with the files of {@code masque init}: the
 * ingress locates each client with {@code geo.csv} and signs the cell, the egress verifies it and
 * dials from the nearest city's pool, and publishes that pool as an RFC 8805 geofeed.
 */
class GeoRoutingIT {
    @TempDir
    static Path dir;

    static HttpOrigin origin;
    static EgressServer egress;
    static IngressServer ingress;
    static PoolRegistry pool;
    static IssuerServer issuer;
    static final List<MasqueClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        pool = PoolRegistry.load(dir.resolve("pool.yaml"));
        issuer = IssuerServer.start(IssuerConfig.load(dir.resolve("issuer.yaml"))); // the deployment needs tokens
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")));
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
    }

    @AfterAll
    static void stop() {
        List<AutoCloseable> all = new ArrayList<>(clients);
        all.add(ingress);
        all.add(egress);
        all.add(origin);
        all.add(issuer);
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static MasqueClient client(String bind) throws Exception {
        return client(bind, MasqueClient.LocationPrecision.PRECISE);
    }

    static MasqueClient client(String bind, MasqueClient.LocationPrecision precision) throws Exception {
        MasqueClient c = new MasqueClient(
                ClientConfig.load(dir.resolve("client.yaml")), false, InetAddress.getByName(bind), precision);
        clients.add(c);
        return c;
    }

    static InetAddress seenBy(MasqueClient client) throws Exception {
        ByteArrayOutputStream who = new ByteArrayOutputStream();
        HttpFetcher.fetch(client, origin.uri("/whoami"), who, false).get(30, TimeUnit.SECONDS);
        return InetAddress.getByName(who.toString(StandardCharsets.US_ASCII).trim());
    }

    @Test
    void clientsComeOutOfTheirOwnCitysPool() throws Exception {
        String[][] cases = {{"127.1.0.10", "london"}, {"127.2.0.20", "paris"}, {"127.3.0.30", "tokyo"}};
        for (String[] c : cases) {
            MasqueClient client = client(c[0]);
            InetAddress seen = seenBy(client);
            City city = pool.city(c[1]).orElseThrow();
            assertThat(city.prefixes()).as("%s came out of %s", c[0], seen).anyMatch(p -> p.contains(seen));
            SecChGeohash at = client.location().orElseThrow();
            double km = Geohashes.centre(at.geohash()).distanceKm(city.location());
            System.out.printf(
                    "client %s at %s -> %s via %s, %.1f km from the cell centre%n",
                    c[0], at.toHeaderValue(), city.name(), seen.getHostAddress(), km);
            assertThat(km).as("a 5-character cell is about 5 km across").isLessThan(5);
        }
    }

    @Test
    void oneConnectionKeepsOneSourceAddress() throws Exception {
        MasqueClient client = client("127.1.0.11");
        InetAddress first = seenBy(client);
        for (int i = 0; i < 5; i++) {
            assertThat(seenBy(client)).isEqualTo(first);
        }
    }

    @Test
    void coarseClientsPresentTwoCharactersAndStayInTheirCountry() throws Exception {
        MasqueClient client = client("127.2.0.21", MasqueClient.LocationPrecision.COARSE);
        InetAddress seen = seenBy(client);
        assertThat(client.location().orElseThrow().geohash()).hasSize(2);
        assertThat(pool.city("paris").orElseThrow().prefixes()).anyMatch(p -> p.contains(seen));
    }

    @Test
    void twoClientsInOneCellAndWindowGetByteIdenticalAssertions() throws Exception {
        // Different client addresses in the same geo.csv row: the assertion carries nothing of them.
        String[] raw = new String[2];
        String[] binds = {"127.3.0.41", "127.3.0.42"};
        for (int i = 0; i < 2; i++) {
            MasqueClient client = client(binds[i]);
            client.connect().get(20, TimeUnit.SECONDS);
            raw[i] = client.geoAssertion().orElse(null);
        }
        assertThat(raw[0]).isNotNull().isEqualTo(raw[1]);
    }

    // --- refusals -------------------------------------------------------------------------

    @Test
    void forgedExpiredUnknownKeyOtherCountryAndNonPrefixAreRefused() throws Exception {
        MasqueClient client = client("127.1.0.12");
        client.connect().get(20, TimeUnit.SECONDS);
        SecChGeohash real = client.location().orElseThrow();
        SigningKey key =
                SigningKey.of("geo-k1", Ed25519Keys.privateKeyFromPem(Files.readString(dir.resolve("geo-k1.key"))));
        GeoAssertion genuine = GeoAssertionSigner.of(key, Clock.systemUTC()).sign(real);

        byte[] sig = genuine.signature();
        sig[0] ^= 1;
        GeoAssertion forged =
                new GeoAssertion(genuine.geohash(), genuine.country(), genuine.notAfter(), genuine.keyId(), sig);
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC);
        GeoAssertion expired = GeoAssertionSigner.of(List.of(key), "geo-k1", AssertionWindow.DEFAULT, past)
                .sign(real);
        KeyPair rogue = Ed25519Keys.generate(new SecureRandom());
        GeoAssertion unknownKey = GeoAssertionSigner.of(SigningKey.of("geo-k1", rogue.getPrivate()), Clock.systemUTC())
                .sign(real); // same id, wrong key: a forgery by another signer
        GeoAssertion otherId = GeoAssertionSigner.of(SigningKey.of("rogue", rogue.getPrivate()), Clock.systemUTC())
                .sign(real);

        String[][] cases = {
            {"forged", real.toHeaderValue(), forged.toHeaderValue(), "geo-assertion signature invalid"},
            {"expired", real.toHeaderValue(), expired.toHeaderValue(), "geo-assertion expired"},
            {
                "signed by an unknown key id",
                real.toHeaderValue(),
                otherId.toHeaderValue(),
                "geo-assertion signed by an unknown key"
            },
            {
                "signed by another key under a trusted id",
                real.toHeaderValue(),
                unknownKey.toHeaderValue(),
                "geo-assertion signature invalid"
            },
            {
                "another country",
                new SecChGeohash(real.geohash(), "FR").toHeaderValue(),
                genuine.toHeaderValue(),
                "sec-ch-geohash country is not the asserted one"
            },
            {
                "not a prefix",
                new SecChGeohash("u09tv", real.country()).toHeaderValue(),
                genuine.toHeaderValue(),
                "sec-ch-geohash outside the asserted cell"
            },
            {
                "finer than asserted",
                new SecChGeohash(real.geohash() + "0", real.country()).toHeaderValue(),
                genuine.toHeaderValue(),
                "sec-ch-geohash finer than asserted"
            },
            {"malformed location", "gcpvj-GB", genuine.toHeaderValue(), "malformed sec-ch-geohash"},
            {"malformed assertion", real.toHeaderValue(), "gh=1", "malformed geo-assertion"},
            {"missing", null, null, "missing geo-assertion"},
        };
        for (String[] c : cases) {
            client.overrideLocationFields(c[1], c[2]);
            assertThatThrownBy(() -> client.openTcp(
                                    "127.0.0.1", origin.localAddress().getPort(), s -> {})
                            .get(20, TimeUnit.SECONDS))
                    .as(c[0])
                    .cause()
                    .isInstanceOfSatisfying(ProxyResponseException.class, e -> {
                        assertThat(e.hop()).isEqualTo("egress");
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.proxyStatus())
                                .isEqualTo("egress; error=http_request_denied; details=\"" + c[3] + "\"");
                    });
        }
        // The genuine pair still works, and a coarser prefix of it too.
        client.overrideLocationFields(real.truncate(3).toHeaderValue(), genuine.toHeaderValue());
        client.openTcp("127.0.0.1", origin.localAddress().getPort(), s -> {})
                .get(20, TimeUnit.SECONDS)
                .close();
        // The draft's form, the geohash without the country: the asserted country applies.
        client.overrideLocationFields("\"" + real.truncate(3).geohash() + "\"", genuine.toHeaderValue());
        client.openTcp("127.0.0.1", origin.localAddress().getPort(), s -> {})
                .get(20, TimeUnit.SECONDS)
                .close();
        client.clearLocationOverride();
    }

    // --- the published CSV ----------------------------------------------------------------

    @Test
    void servedCsvIsTheExportValidRfc8805AndExactlyThePool() throws Exception {
        URI uri = URI.create("http://" + egress.adminAddress().getAddress().getHostAddress() + ":"
                + egress.adminAddress().getPort() + "/egress-ranges.csv");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> r =
                http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/csv; charset=utf-8");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = MasqueCli.run(
                    "pool", "export-csv", "--config", dir.resolve("pool.yaml").toString());
        } finally {
            System.setOut(saved);
        }
        assertThat(exit).isZero();
        assertThat(r.body()).isEqualTo(out.toByteArray());

        List<GeofeedEntry> rows = Geofeed.parse("served", new String(r.body(), StandardCharsets.UTF_8));
        Set<IpPrefix> listed = new HashSet<>();
        rows.forEach(e -> listed.add(e.prefix()));
        Set<IpPrefix> bindable = new HashSet<>();
        pool.cities().forEach(c -> bindable.addAll(c.prefixes()));
        assertThat(listed).isEqualTo(bindable);
        for (GeofeedEntry e : rows) {
            City city = pool.cities().stream()
                    .filter(c -> c.prefixes().contains(e.prefix()))
                    .findFirst()
                    .orElseThrow();
            assertThat(e.country()).isEqualTo(city.country());
            assertThat(e.region()).isEqualTo(city.region());
            assertThat(e.city()).isEqualTo(city.name());
            assertThat(e.postalCode()).isEmpty();
        }

        String etag = r.headers().firstValue("etag").orElseThrow();
        String modified = r.headers().firstValue("last-modified").orElseThrow();
        assertThat(http.send(
                                HttpRequest.newBuilder(uri)
                                        .header("If-None-Match", etag)
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .statusCode())
                .isEqualTo(304);
        assertThat(http.send(
                                HttpRequest.newBuilder(uri)
                                        .header("If-Modified-Since", modified)
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .statusCode())
                .isEqualTo(304);
        assertThat(http.send(
                                HttpRequest.newBuilder(uri)
                                        .header("If-None-Match", "\"other\"")
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .statusCode())
                .isEqualTo(200);
    }
}
