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

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.issuer.config.SigningKeyFile;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.TokenKey;
import org.masquerelay.tools.pki.Pki;

/**
 * Writes a ready-to-run loopback deployment: a private CA, a certificate and key per relay,
 * {@code ingress.yaml}, {@code egress.yaml}, {@code client.yaml}, and the location samples
 * {@code geo.csv} (the ingress's geo database) and {@code pool.yaml} (the egress's city pools,
 * docs/architecture.md §4). Used by {@code masque init}, the demo and the integration tests, so all three run
 * the same files an operator would.
 */
public final class LoopbackDeployment {
    /** The egress's own loopback address (all of 127.0.0.0/8 is local on Linux). */
    public static final String EGRESS_HOST = "127.0.0.2";

    /** Ports of one deployment. */
    public record Ports(int ingress, int egress, int ingressAdmin, int egressAdmin, int issuer) {
        /** The fixed defaults of {@code masque init}. */
        public static final Ports DEFAULT = new Ports(4433, 4434, 9433, 9434, 9435);

        /** Currently free ports, for tests and the demo (a tiny race, acceptable there). */
        public static Ports free() throws IOException {
            // The ingress also listens on TCP at its QUIC port (HTTP/2 fallback): free on both.
            int ingress = freeUdpAndTcp();
            int admin;
            do {
                admin = freeTcp();
            } while (admin == ingress);
            return new Ports(ingress, freeUdp(), admin, freeTcp(), freeTcp());
        }
    }

    private LoopbackDeployment() {}

    /**
     * The deployment of {@code masque init} and the demo: the ingress locates clients with
     * {@code geo.csv} and signs their location, the egress dials from {@code pool.yaml}'s cities,
     * and the ingress admits only clients with a Privacy Pass token from the issuer of
     * {@code issuer.yaml}, for which {@code client.yaml} holds an API key.
     */
    public static void write(Path dir, Ports ports) throws IOException {
        write(dir, ports, null);
    }

    /**
     * The egress's {@code destinations.allow} of the overloads without one: all of loopback, for
     * tests and benches whose origins take ephemeral ports. The egress's own listeners stay
     * refused all the same; the ingress's and the issuer's are reachable through it, so {@code
     * masque init} and the demo write {@link #origins} instead.
     */
    public static final List<String> ALL_LOOPBACK = List.of("127.0.0.0/8");

    /** The allowlist of a deployment whose origins are {@code 127.0.0.1} at {@code ports}, and nothing else. */
    public static List<String> origins(int... ports) {
        return java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).toList();
    }

    /** {@link #write(Path, Ports, List, List)} with the allowlist {@link #ALL_LOOPBACK}. */
    public static void write(Path dir, Ports ports, @Nullable List<String> sourceAddresses) throws IOException {
        write(dir, ports, sourceAddresses, ALL_LOOPBACK);
    }

    /**
     * @param sourceAddresses the egress's fixed {@code source-addresses}, with location routing
     *     off on both relays; null for the geo deployment of {@link #write(Path, Ports)}
     * @param allow the egress's {@code destinations.allow} entries
     */
    public static void write(Path dir, Ports ports, @Nullable List<String> sourceAddresses, List<String> allow)
            throws IOException {
        boolean geo = sourceAddresses == null;
        Files.createDirectories(dir);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        // The egress has an address of its own, so its listeners never share a port number on
        // 127.0.0.1 with an origin; it refuses them as targets whatever the allowlist says.
        InetAddress egressLo = InetAddress.getByName(EGRESS_HOST);
        Pki.Credential ca = Pki.newCa("masque-relay loopback CA", Duration.ofDays(825));
        Pki.Credential ingress = Pki.issueServer(
                ca, "ingress.localhost", List.of("localhost", "ingress.localhost"), List.of(lo), Duration.ofDays(397));
        Pki.Credential egress = Pki.issueServer(
                ca,
                "egress.localhost",
                List.of("localhost", "egress.localhost"),
                List.of(egressLo),
                Duration.ofDays(397));
        Pki.writeCertificatePem(dir.resolve("ca.crt"), List.of(ca.certificate()));
        Pki.writeCertificatePem(dir.resolve("ingress.crt"), ingress.chain());
        Pki.writePrivateKeyPem(dir.resolve("ingress.key"), ingress.privateKey());
        Pki.writeCertificatePem(dir.resolve("egress.crt"), egress.chain());
        Pki.writePrivateKeyPem(dir.resolve("egress.key"), egress.privateKey());
        Files.writeString(
                dir.resolve("ingress.yaml"),
                """
                # Ingress relay: terminates the client's QUIC and forwards connect-udp tunnels,
                # only toward the egress relays listed below. It never sees the final target.
                listen: 127.0.0.1:%d
                tls:
                  certificate: ingress.crt
                  private-key: ingress.key
                admin:
                  listen: 127.0.0.1:%d
                egress-relays:
                  - %s:%d
                limits:
                  max-tunnels-per-connection: 16
                  max-tunnels: 10000
                  tunnel-idle-timeout: PT2M
                drain-timeout: PT10S
                """.formatted(ports.ingress(), ports.ingressAdmin(), EGRESS_HOST, ports.egress())
                        + (geo ? INGRESS_GEO + INGRESS_TOKENS.formatted(ports.issuer()) : ""));
        if (geo) {
            writeIssuer(dir, ports);
        }
        String sources;
        if (sourceAddresses == null) { // geo
            KeyPair key = Ed25519Keys.generate(new SecureRandom());
            Pki.writePrivateKeyPem(dir.resolve(GEO_KEY_ID + ".key"), key.getPrivate());
            Files.writeString(dir.resolve(GEO_KEY_ID + ".pub"), Ed25519Keys.publicKeyToPem(key.getPublic()));
            sources = "";
        } else {
            StringBuilder b = new StringBuilder("# Targets are dialled from these addresses.\nsource-addresses:\n");
            for (String a : sourceAddresses) {
                b.append("  - ").append(a).append('\n');
            }
            sources = b.toString();
        }
        Files.writeString(
                dir.resolve("egress.yaml"),
                """
                # Egress relay: ends the client's inner QUIC connection and dials targets.
                listen: %s:%d
                tls:
                  certificate: egress.crt
                  private-key: egress.key
                admin:
                  listen: %s:%d
                # QUIC is answered only from these prefixes (the ingress relays).
                ingress-prefixes:
                  - 127.0.0.0/8
                %sdestinations:
                  # Loopback is refused by default (an egress must never become a way into its own
                  # host). This loopback deployment admits %s so its
                  # origins are reachable: entries with a port admit only that port. The egress's
                  # own QUIC and admin ports stay refused whatever this list says. Remove it in
                  # production.
                  allow:
                %s
                limits:
                  connect-timeout: PT10S
                  udp-idle-timeout: PT2M
                drain-timeout: PT10S
                """.formatted(
                                        EGRESS_HOST,
                                        ports.egress(),
                                        EGRESS_HOST,
                                        ports.egressAdmin(),
                                        sources,
                                        String.join(", ", allow),
                                        allowLines(allow))
                        + (geo ? EGRESS_GEO : ""));
        Files.writeString(
                dir.resolve("client.yaml"),
                """
                # Client: an outer QUIC connection to the ingress, a connect-udp tunnel to the
                # egress, and an inner QUIC connection to the egress inside it.
                ingress:
                  address: 127.0.0.1:%d
                  server-name: ingress.localhost
                egress:
                  address: %s:%d
                  server-name: egress.localhost
                # Both relays' certificates must chain to this CA.
                ca-file: ca.crt
                """.formatted(ports.ingress(), EGRESS_HOST, ports.egress())
                        + (geo ? CLIENT_TOKENS.formatted(ports.issuer()) : ""));
        Files.writeString(dir.resolve("geo.csv"), GEO_CSV);
        Files.writeString(dir.resolve("pool.yaml"), POOL_YAML);
    }

    private static String allowLines(List<String> allow) {
        StringBuilder b = new StringBuilder();
        for (String a : allow) {
            // Plain scalars, as an operator writes them; [v6]:port needs quotes in YAML.
            String entry = a.startsWith("[") ? '"' + a + '"' : a;
            b.append(b.length() == 0 ? "" : "\n").append("    - ").append(entry);
        }
        return b.toString();
    }

    /**
     * The Privacy Pass issuer (docs/architecture.md §5): its blind-RSA key, its config, one account and that
     * account's API key for the client, and the public token key the ingress trusts.
     */
    private static void writeIssuer(Path dir, Ports ports) throws IOException {
        BlindRsaPrivateKey key = PublicTokenIssuance.generateKey(new SecureRandom());
        Pki.writeSecret(dir.resolve("issuer.key"), SigningKeyFile.toPem(key));
        byte[] apiKey = new byte[24];
        new SecureRandom().nextBytes(apiKey);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(apiKey);
        Pki.writeSecret(dir.resolve("issuer-accounts.txt"), """
                # account-id:api-key, one per line; the issuer limits each account's tokens per hour.
                demo:%s
                """.formatted(secret));
        Pki.writeSecret(dir.resolve("client.apikey"), secret + "\n");
        Files.writeString(
                dir.resolve("issuer-token-key.pub"),
                Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(TokenKey.of(key.publicKey()).encode()) + "\n");
        Files.writeString(dir.resolve("issuer.yaml"), """
                # Privacy Pass issuer (RFC 9578, token type 0x0002): signs blinded token requests for
                # accounts that present an API key. It never sees the tokens clients later spend.
                listen: 127.0.0.1:%d
                issuer-name: 127.0.0.1:%d
                signing-key: issuer.key
                api-keys: issuer-accounts.txt
                tokens-per-hour: 1000
                max-batch: 8
                """.formatted(ports.issuer(), ports.issuer()));
    }

    static final String INGRESS_TOKENS = """
            # Access (docs/architecture.md §5): connect-udp needs a Privacy Pass token from this issuer; without
            # one the answer is 407 with a PrivateToken challenge. Spent tokens are refused.
            tokens:
              issuer-name: 127.0.0.1:%d
              token-keys: [issuer-token-key.pub]
            """;

    static final String CLIENT_TOKENS = """
            # Privacy Pass: tokens for the ingress come from this issuer, paid for by this API key.
            tokens:
              issuer: http://127.0.0.1:%d/
              api-key-file: client.apikey
            """;

    /** Key id of the loopback deployment's geo-assertion signing key. */
    static final String GEO_KEY_ID = "geo-k1";

    static final String INGRESS_GEO = """
            # Location (docs/architecture.md §4): the client's address is looked up in geo.csv, turned into a
            # geohash of 5 characters (about 5 km) and signed; the egress routes by it. Rotate keys
            # by adding a second one, deploying its .pub to every egress, then switching active-key.
            geo:
              database: geo.csv
              precision: 5
              signing-keys:
                - id: geo-k1
                  private-key: geo-k1.key
              active-key: geo-k1
              # Clients that geo.csv does not place (127.0.0.1, say) get a country-level London
              # cell; production deployments usually deny them instead (unknown-location: deny).
              unknown-location: fallback
              fallback: {country: GB, geohash: gc}
            """;

    static final String EGRESS_GEO = """
            # Location (docs/architecture.md §4): requests must carry a geo-assertion signed by a trusted ingress
            # key; the nearest city of pool.yaml in the asserted country provides the source
            # address, and /egress-ranges.csv on the admin listener publishes the pool (RFC 8805).
            geo:
              pool: pool.yaml
              trusted-keys:
                - id: geo-k1
                  public-key: geo-k1.pub
            """;

    /** The ingress's sample geo database: three loopback /24s placed in three cities. */
    static final String GEO_CSV = """
            # Geo database for the ingress (docs/architecture.md §4): prefix,latitude,longitude,country,region,city
            # The ingress looks up each client address here (longest prefix wins) and asserts the
            # location as a geohash, 5 characters (about 5 km) by default, plus the country.
            # On loopback every 127.x.y.z is local, so a client bound to 127.1.0.x appears to be in
            # London, 127.2.0.x in Paris, 127.3.0.x in Tokyo. Addresses without a row (127.0.0.1
            # too) get the ingress's unknown-location policy. A MaxMind City database (.mmdb) can
            # replace this file.
            127.1.0.0/24,51.5072,-0.1276,GB,GB-ENG,London
            127.2.0.0/24,48.8566,2.3522,FR,FR-IDF,Paris
            127.3.0.0/24,35.6762,139.6503,JP,JP-13,Tokyo
            """;

    /** The egress's sample city pools, one loopback /28 per city of {@link #GEO_CSV}. */
    static final String POOL_YAML = """
            # City pools for the egress (docs/architecture.md §4, geo-preserving egress).
            # For each request the egress takes the geohash and country the ingress asserted, picks
            # the nearest city of that country (great-circle distance from the geohash cell
            # centre), and dials the target from one address of that city's prefixes. The address
            # follows from a random key per inner connection and the rotation epoch: one
            # connection keeps one address, connections spread over the pool, addresses rotate.
            # IPv6 prefixes are preferred for targets with AAAA records.
            #   ./masque pool check --config pool.yaml        validate this file (exit 78 on errors)
            #   ./masque pool export-csv --config pool.yaml   its RFC 8805 geofeed, for publishing
            # On loopback every 127.x.y.z is local, so the origin sees the chosen 127.10x.0.x.
            rotation-period: PT1H   # addresses rotate every hour
            fallback: deny          # a country with no city gets no address; or nearest-any
            # country-fallbacks:    # optional: serve a country without a city from a named one
            #   IE: london
            cities:
              - id: london
                name: London
                country: GB           # ISO 3166-1 alpha-2
                region: GB-ENG        # ISO 3166-2
                latitude: 51.5072
                longitude: -0.1276
                prefixes: [127.101.0.0/28]
              - id: paris
                name: Paris
                country: FR
                region: FR-IDF
                latitude: 48.8566
                longitude: 2.3522
                prefixes: [127.102.0.0/28]
              - id: tokyo
                name: Tokyo
                country: JP
                region: JP-13
                latitude: 35.6762
                longitude: 139.6503
                prefixes: [127.103.0.0/28]
            """;

    private static int freeUdp() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    /** A UDP port of 127.0.0.1 whose TCP port of the same number is free too. */
    private static int freeUdpAndTcp() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                    ServerSocket t = new ServerSocket(s.getLocalPort(), 1, InetAddress.getByName("127.0.0.1"))) {
                return t.getLocalPort();
            } catch (IOException e) {
                if (attempt >= 20) {
                    throw e;
                }
            }
        }
    }

    private static int freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
