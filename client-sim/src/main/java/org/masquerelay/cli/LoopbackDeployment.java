package org.masquerelay.cli;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.masquerelay.tools.pki.Pki;

/**
 * Writes a ready-to-run loopback deployment: a private CA, a certificate and key per relay, and
 * {@code ingress.yaml}, {@code egress.yaml}, {@code client.yaml}. Used by {@code masque init},
 * the demo and the integration tests, so all three run the same files an operator would.
 */
public final class LoopbackDeployment {
    /** Ports of one deployment. */
    public record Ports(int ingress, int egress, int ingressAdmin, int egressAdmin) {
        /** The fixed defaults of {@code masque init}. */
        public static final Ports DEFAULT = new Ports(4433, 4434, 9433, 9434);

        /** Currently free ports, for tests and the demo (a tiny race, acceptable there). */
        public static Ports free() throws IOException {
            return new Ports(freeUdp(), freeUdp(), freeTcp(), freeTcp());
        }
    }

    private LoopbackDeployment() {
    }

    public static void write(Path dir, Ports ports) throws IOException {
        write(dir, ports, List.of("127.0.0.1"));
    }

    /**
     * @param sourceAddresses the egress's {@code source-addresses}
     */
    public static void write(Path dir, Ports ports, List<String> sourceAddresses) throws IOException {
        Files.createDirectories(dir);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        Pki.Credential ca = Pki.newCa("masque-relay loopback CA", Duration.ofDays(825));
        Pki.Credential ingress = Pki.issueServer(ca, "ingress.localhost", List.of("localhost", "ingress.localhost"),
                List.of(lo), Duration.ofDays(397));
        Pki.Credential egress = Pki.issueServer(ca, "egress.localhost", List.of("localhost", "egress.localhost"),
                List.of(lo), Duration.ofDays(397));
        Pki.writeCertificatePem(dir.resolve("ca.crt"), List.of(ca.certificate()));
        Pki.writeCertificatePem(dir.resolve("ingress.crt"), ingress.chain());
        Pki.writePrivateKeyPem(dir.resolve("ingress.key"), ingress.privateKey());
        Pki.writeCertificatePem(dir.resolve("egress.crt"), egress.chain());
        Pki.writePrivateKeyPem(dir.resolve("egress.key"), egress.privateKey());
        Files.writeString(dir.resolve("ingress.yaml"), """
                # Ingress relay: terminates the client's QUIC and forwards connect-udp tunnels,
                # only toward the egress relays listed below. It never sees the final target.
                listen: 127.0.0.1:%d
                tls:
                  certificate: ingress.crt
                  private-key: ingress.key
                admin:
                  listen: 127.0.0.1:%d
                egress-relays:
                  - 127.0.0.1:%d
                limits:
                  max-tunnels-per-connection: 16
                  max-tunnels: 10000
                  tunnel-idle-timeout: PT2M
                drain-timeout: PT10S
                """.formatted(ports.ingress(), ports.ingressAdmin(), ports.egress()));
        StringBuilder sources = new StringBuilder();
        for (String s : sourceAddresses) {
            sources.append("  - ").append(s).append('\n');
        }
        Files.writeString(dir.resolve("egress.yaml"), """
                # Egress relay: ends the client's inner QUIC connection and dials targets.
                listen: 127.0.0.1:%d
                tls:
                  certificate: egress.crt
                  private-key: egress.key
                admin:
                  listen: 127.0.0.1:%d
                # QUIC is answered only from these prefixes (the ingress relays).
                ingress-prefixes:
                  - 127.0.0.0/8
                # Targets are dialled from these addresses.
                source-addresses:
                %s
                destinations:
                  # Loopback is refused by default (an egress must never become a way into its own
                  # host). This loopback deployment admits 127.0.0.0/8 so the demo and local test
                  # origins are reachable; remove it in production.
                  allow:
                    - 127.0.0.0/8
                limits:
                  connect-timeout: PT10S
                  udp-idle-timeout: PT2M
                drain-timeout: PT10S
                """.formatted(ports.egress(), ports.egressAdmin(), sources.toString().stripTrailing()));
        Files.writeString(dir.resolve("client.yaml"), """
                # Client: an outer QUIC connection to the ingress, a connect-udp tunnel to the
                # egress, and an inner QUIC connection to the egress inside it.
                ingress:
                  address: 127.0.0.1:%d
                  server-name: ingress.localhost
                egress:
                  address: 127.0.0.1:%d
                  server-name: egress.localhost
                # Both relays' certificates must chain to this CA.
                ca-file: ca.crt
                """.formatted(ports.ingress(), ports.egress()));
    }

    private static int freeUdp() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    private static int freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
