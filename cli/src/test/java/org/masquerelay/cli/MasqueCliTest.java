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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.pool.AddressSelector;
import org.masquerelay.pool.City;
import org.masquerelay.pool.CityMatch;
import org.masquerelay.pool.CsvGeoDatabase;
import org.masquerelay.pool.GeoLocation;
import org.masquerelay.pool.Geofeed;
import org.masquerelay.pool.Geohashes;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.tools.origin.HttpOrigin;
import picocli.CommandLine;

class MasqueCliTest {
    @TempDir
    Path dir;

    @Test
    void initWritesAValidDeploymentWithTheFixedPorts() throws Exception {
        assertThat(MasqueCli.run("init", dir.toString())).isZero();
        for (String f : new String[] {
            "ingress.yaml",
            "egress.yaml",
            "client.yaml",
            "ca.crt",
            "ingress.crt",
            "ingress.key",
            "egress.crt",
            "egress.key"
        }) {
            assertThat(dir.resolve(f)).exists();
        }
        assertThat(Files.readString(dir.resolve("ingress.yaml")))
                .contains("listen: 127.0.0.1:4433")
                .contains("listen: 127.0.0.1:9433")
                .contains("- 127.0.0.2:4434");
        // The egress has its own loopback address: it never dials its own addresses.
        assertThat(Files.readString(dir.resolve("egress.yaml")))
                .contains("listen: 127.0.0.2:4434")
                .contains("listen: 127.0.0.2:9434")
                .contains("- 127.0.0.0/8");
        // ...and allow-lists the test origin's two ports, not all of loopback: through it, no
        // client reaches the ingress, the issuer or either relay's admin listener.
        assertThat(org.masquerelay.egress.config.EgressConfig.load(dir.resolve("egress.yaml"))
                        .destinationsOrDefault()
                        .allowList())
                .hasSize(2)
                .allSatisfy(a -> {
                    assertThat(a.prefix())
                            .hasToString(org.masquerelay.config.IpPrefix.parse("127.0.0.1/32")
                                    .toString());
                    assertThat(a.firstPort()).isEqualTo(a.lastPort());
                    assertThat(a.firstPort()).isNotIn(4433, 4434, 9433, 9434, 9435);
                });
        assertThat(MasqueCli.run(
                        "ingress", "--config", dir.resolve("ingress.yaml").toString(), "--check-config"))
                .isZero();
        assertThat(MasqueCli.run(
                        "egress", "--config", dir.resolve("egress.yaml").toString(), "--check-config"))
                .isZero();
        assertThat(MasqueCli.run(
                        "pool", "check", "--config", dir.resolve("pool.yaml").toString()))
                .isZero();
        // Refuses to overwrite existing keys.
        assertThat(MasqueCli.run("init", dir.toString())).isEqualTo(1);
    }

    @Test
    void initWritesAGeoDatabaseAndPoolsThatLoadAndAgree() throws Exception {
        assertThat(MasqueCli.run("init", dir.toString())).isZero();
        CsvGeoDatabase geo = CsvGeoDatabase.load(dir.resolve("geo.csv"));
        PoolRegistry pools = PoolRegistry.load(dir.resolve("pool.yaml"));
        assertThat(geo.size()).isEqualTo(3);
        assertThat(pools.cities()).extracting(City::id).containsExactly("london", "paris", "tokyo");
        assertThat(geo.lookup(InetAddress.getByName("127.0.0.1"))).isEmpty();
        // Each sample client range lands, through its geohash, on the pool of its own city.
        String[][] cases = {
            {"127.1.0.9", "london", "127.101.0.0/28"},
            {"127.2.0.9", "paris", "127.102.0.0/28"},
            {"127.3.0.9", "tokyo", "127.103.0.0/28"}
        };
        for (String[] c : cases) {
            GeoLocation where = geo.lookup(InetAddress.getByName(c[0])).orElseThrow();
            CityMatch match =
                    pools.nearest(Geohashes.encode(where), where.country()).orElseThrow();
            assertThat(match.city().id()).isEqualTo(c[1]);
            assertThat(match.distanceKm()).isLessThan(5);
            InetAddress source = AddressSelector.select(
                            match.city(), AddressSelector.newConnectionKey(), pools.epochOf(Instant.now()), false)
                    .orElseThrow();
            assertThat(IpPrefix.parse(c[2]).contains(source)).isTrue();
        }
        assertThat(pools.geofeedCsv()).isEqualTo("""
                127.101.0.0/28,GB,GB-ENG,London,
                127.102.0.0/28,FR,FR-IDF,Paris,
                127.103.0.0/28,JP,JP-13,Tokyo,
                """);
    }

    @Test
    void poolExportCsvWritesTheGeofeedToAFileOrStdout() throws Exception {
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        Path csv = dir.resolve("egress-ranges.csv");
        assertThat(MasqueCli.run(
                        "pool",
                        "export-csv",
                        "--config",
                        dir.resolve("pool.yaml").toString(),
                        "--output",
                        csv.toString()))
                .isZero();
        String expected = PoolRegistry.load(dir.resolve("pool.yaml")).geofeedCsv();
        assertThat(Files.readString(csv)).isEqualTo(expected).startsWith("127.101.0.0/28,GB,GB-ENG,London,\n");
        // The exported file is a strict RFC 8805 feed.
        assertThat(Geofeed.load(csv)).hasSize(3);
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");

        Captured out = capture(() -> MasqueCli.run(
                "pool", "export-csv", "--config", dir.resolve("pool.yaml").toString()));
        assertThat(out.status).isZero();
        assertThat(out.stdout).isEqualTo(expected);
    }

    @Test
    void poolCheckPrintsEveryErrorWithItsPathAndExits78() throws Exception {
        Path bad = dir.resolve("pool.yaml");
        Files.writeString(bad, """
                fallback: nowhere
                cities:
                  - id: london
                    name: London
                    country: UK
                    latitude: 51.5072
                    longitude: -0.1276
                    prefixes: [127.101.0.1/28]
                """);
        Captured check = capture(() -> MasqueCli.run("pool", "check", "--config", bad.toString()));
        assertThat(check.status).isEqualTo(MasqueCli.EX_CONFIG);
        assertThat(check.stderr)
                .contains("3 error(s)")
                .contains("fallback: nowhere (expected: deny or nearest-any)")
                .contains("cities[0].country: UK (expected: an ISO 3166-1 alpha-2 country code such as GB)")
                .contains("cities[0].prefixes[0]: 127.101.0.1/28 (expected: canonical prefix 127.101.0.0/28");
        assertThat(MasqueCli.run("pool", "export-csv", "--config", bad.toString()))
                .isEqualTo(78);
        assertThat(MasqueCli.run(
                        "pool", "check", "--config", dir.resolve("missing.yaml").toString()))
                .isEqualTo(78);

        LoopbackDeployment.write(dir.resolve("ok"), LoopbackDeployment.Ports.free());
        Captured ok = capture(() -> MasqueCli.run(
                "pool", "check", "--config", dir.resolve("ok/pool.yaml").toString()));
        assertThat(ok.status).isZero();
        assertThat(ok.stdout).contains("ok (3 cities, 3 prefixes, rotation PT1H, fallback deny)");
        // Without a subcommand, a usage error.
        assertThat(MasqueCli.run("pool")).isEqualTo(2);
    }

    private record Captured(int status, String stdout, String stderr) {}

    private static Captured capture(java.util.function.IntSupplier command) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = command.getAsInt();
            return new Captured(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void checkConfigExits78OnErrors() throws Exception {
        Path bad = dir.resolve("egress.yaml");
        Files.writeString(bad, "listen: nowhere\nbogus-key: 1\n");
        assertThat(MasqueCli.run("egress", "--config", bad.toString(), "--check-config"))
                .isEqualTo(78);
        Files.writeString(bad, "listen: 127.0.0.1:1\ningress-prefixes: [10.0.0.1/8]\n");
        assertThat(MasqueCli.run("egress", "--config", bad.toString(), "--check-config"))
                .isEqualTo(78);
        assertThat(MasqueCli.run(
                        "ingress", "--config", dir.resolve("missing.yaml").toString(), "--check-config"))
                .isEqualTo(78);
    }

    @Test
    void fetchFailsNonZeroWhenTheIngressIsUnreachable() throws Exception {
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        assertThat(MasqueCli.run(
                        "fetch",
                        "http://127.0.0.1:9/",
                        "--config",
                        dir.resolve("client.yaml").toString(),
                        "--timeout-seconds",
                        "5"))
                .isNotZero();
        assertThat(MasqueCli.run(
                        "fetch",
                        "ftp://127.0.0.1/",
                        "--config",
                        dir.resolve("client.yaml").toString()))
                .isNotZero();
    }

    /** Runs the CLI with captured stdout and stderr. */
    private record Run(int exitCode, String out, String err) {
        static Run of(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exitCode = MasqueCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(exitCode, out.toString(), err.toString());
        }
    }

    @Test
    void keysGenerateWritesAMatchingPairAndPrintsTheDefaultKeyId() throws Exception {
        Path keys = dir.resolve("keys"); // created on demand

        Run run = Run.of("keys", "generate", "--out", keys.toString());

        assertThat(run.exitCode()).isZero();
        String keyId = run.out().strip();
        assertThat(keyId).matches("[A-Za-z0-9_-]{11}");
        PrivateKey privateKey = Ed25519Keys.privateKeyFromPem(Files.readString(keys.resolve(keyId + ".key")));
        PublicKey publicKey = Ed25519Keys.publicKeyFromPem(Files.readString(keys.resolve(keyId + ".pub")));
        assertThat(Ed25519Keys.publicKeyOf(privateKey).getEncoded()).isEqualTo(publicKey.getEncoded());
        assertThat(Ed25519Keys.defaultKeyId(publicKey)).isEqualTo(keyId);
        assertThat(run.err()).contains(keyId + ".key").contains(keyId + ".pub");
    }

    @Test
    void keysGenerateMakesThePrivateKeyOwnerOnly() throws Exception {
        assertThat(Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-1")
                        .exitCode())
                .isZero();

        if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ingress-1.key"))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void keysGenerateUsesTheGivenKeyIdAndRefusesToOverwrite() throws Exception {
        Run first = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-1");
        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isEqualTo("ingress-1" + System.lineSeparator());
        String privatePem = Files.readString(dir.resolve("ingress-1.key"));

        Run again = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-1");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).contains("ingress-1.key already exists; refusing to overwrite keys");
        assertThat(Files.readString(dir.resolve("ingress-1.key"))).isEqualTo(privatePem);

        // A lone public key is enough to refuse: the pair must never be split.
        Files.writeString(dir.resolve("ingress-2.pub"), "keep me");
        Run half = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", "ingress-2");
        assertThat(half.exitCode()).isEqualTo(1);
        assertThat(dir.resolve("ingress-2.key")).doesNotExist();
        assertThat(Files.readString(dir.resolve("ingress-2.pub"))).isEqualTo("keep me");
    }

    @Test
    void keysGenerateRejectsKeyIdsThatAreNotSafeFileNames() {
        for (String bad : new String[] {"../escape", "a.b", "", "x".repeat(33)}) {
            Run run = Run.of("keys", "generate", "--out", dir.toString(), "--key-id", bad);
            assertThat(run.exitCode()).as(bad).isEqualTo(2);
            assertThat(run.err()).as(bad).contains("--key-id: keyId ");
        }
        assertThat(dir).isEmptyDirectory();
        assertThat(Run.of("keys").exitCode()).isEqualTo(2);
        assertThat(Run.of("keys", "generate").exitCode()).isEqualTo(2);
    }

    @Test
    void proxyOptionErrorsExit78BeforeAnythingBinds() throws Exception {
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free());
        String config = dir.resolve("client.yaml").toString();
        assertThat(MasqueCli.run("proxy", "--config", config)).as("no listener").isEqualTo(78);
        assertThat(MasqueCli.run("proxy", "--config", config, "--socks", "localhost:1080"))
                .isEqualTo(78);
        assertThat(MasqueCli.run(
                        "proxy", "--config", config, "--http", "127.0.0.1:0", "--max-streams-per-connection", "0"))
                .isEqualTo(78);
        assertThat(MasqueCli.run(
                        "proxy",
                        "--config",
                        config,
                        "--socks",
                        "127.0.0.1:0",
                        "--socks-auth",
                        dir.resolve("missing").toString()))
                .isEqualTo(78);
        assertThat(MasqueCli.run(
                        "proxy", "--config", dir.resolve("missing.yaml").toString(), "--socks", "127.0.0.1:0"))
                .isEqualTo(78);
    }

    @Test
    void originServesWhoamiOnEveryListenAddressAndRejectsBadOnes() throws Exception {
        OriginCommand origin = new OriginCommand();
        new CommandLine(origin).parseArgs("--listen", "127.0.0.1:0", "--listen", "[::1]:0");
        List<HttpOrigin> started = origin.start();
        try {
            assertThat(started).hasSize(2);
            for (HttpOrigin o : started) {
                HttpURLConnection c =
                        (HttpURLConnection) o.uri("/whoami").toURL().openConnection();
                String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(c.getResponseCode()).isEqualTo(200);
                // The peer address, in the family the origin was reached on.
                assertThat(InetAddress.getByName(body.strip()).isLoopbackAddress())
                        .isTrue();
                assertThat(InetAddress.getByName(body.strip()).getAddress())
                        .hasSize(o.localAddress().getAddress().getAddress().length);
            }
        } finally {
            started.forEach(HttpOrigin::close);
        }
        Run bad = Run.of("origin", "--listen", "localhost:80");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--listen localhost:80: ");
        assertThat(Run.of("origin").exitCode()).isEqualTo(2);
    }
}
