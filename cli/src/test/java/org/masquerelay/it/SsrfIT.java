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
import static org.masquerelay.it.LocalProxyClient.field;
import static org.masquerelay.it.LocalProxyClient.readHead;
import static org.masquerelay.it.LocalProxyClient.send;
import static org.masquerelay.it.LocalProxyClient.status;

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.proxy.ClientPool;
import org.masquerelay.proxy.ProxyConfig;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * SSRF at a running egress that listens on a wildcard address, as the README's sample does, with
 * all of 127.0.0.0/8 allow-listed, as the loopback deployment of the tests is: every IPv6 form
 * that embeds a forbidden IPv4 address, the egress's own QUIC and admin ports and the host's own
 * addresses are refused with 403 {@code destination_ip_prohibited} and a reason, both to a raw
 * request straight to the egress (standing in for an ingress) and through the client's local
 * HTTP proxy over both hops, while the allow-listed origin is reached.
 */
class SsrfIT {
    static final InetAddress CLIENT = LoopbackRelays.addr("127.0.0.5");
    static Path dir;
    static HttpOrigin origin;
    static EgressServer egress;
    static IngressServer ingress;
    static ProxyServer proxy;
    static EgressConfig config;
    static int quicPort;
    static int adminPort;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("masque-ssrf");
        origin = new HttpOrigin(new InetSocketAddress("127.0.0.1", 0));
        LoopbackDeployment.Ports ports = LoopbackDeployment.Ports.free();
        LoopbackDeployment.write(dir, ports, List.of("127.0.0.3"));
        Path eg = dir.resolve("egress.yaml");
        // The QUIC listener on the wildcard, the admin listener on the egress's loopback address.
        Files.writeString(
                eg,
                Files.readString(eg)
                        .replace(
                                "listen: " + LoopbackDeployment.EGRESS_HOST + ":" + ports.egress(),
                                "listen: 0.0.0.0:" + ports.egress()));
        // A wildcard UDP socket answers from the address the kernel picks, 127.0.0.1 here, so the
        // ingress and the client name the egress there.
        for (String f : List.of("ingress.yaml", "client.yaml")) {
            Path p = dir.resolve(f);
            Files.writeString(
                    p,
                    Files.readString(p)
                            .replace(
                                    LoopbackDeployment.EGRESS_HOST + ":" + ports.egress(),
                                    "127.0.0.1:" + ports.egress()));
        }
        config = EgressConfig.load(eg);
        assertThat(config.listenAddress().getAddress().isAnyLocalAddress()).isTrue();
        quicPort = ports.egress();
        adminPort = ports.egressAdmin();
        egress = EgressServer.start(config);
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")));
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Duration timeout = Duration.ofSeconds(20);
        proxy = ProxyServer.start(
                ProxyConfig.of(null, any, null, 100, timeout),
                new ClientPool(
                        () -> new MasqueClient(ClientConfig.load(dir.resolve("client.yaml")), false, CLIENT),
                        100,
                        timeout));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {proxy, ingress, egress, origin}) {
            if (c != null) {
                c.close();
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Every IPv6 form that embeds an IPv4 address, each embedding the private 10.0.0.1. */
    static Stream<Arguments> embeddedForms() {
        return Stream.of(
                Arguments.of("IPv4-mapped", "::ffff:10.0.0.1"),
                Arguments.of("IPv4-compatible", "::a00:1"),
                Arguments.of("SIIT IPv4-translated", "::ffff:0:a00:1"),
                Arguments.of("NAT64 well-known", "64:ff9b::a00:1"),
                Arguments.of("NAT64 local-use", "64:ff9b:1::a00:1"),
                Arguments.of("6to4", "2002:a00:1::1"),
                Arguments.of("Teredo", "2001:0:a00:1:8000:63bf:f5ff:fffe"),
                Arguments.of("ISATAP", "2a00:1450:4001:800:200:5efe:a00:1"));
    }

    /** The same forms embedding 127.0.0.2, the egress's admin address, at its admin port. */
    static Stream<Arguments> embeddedAdmin() {
        return Stream.of(
                Arguments.of("IPv4-mapped", "::ffff:127.0.0.2"),
                Arguments.of("IPv4-compatible", "::7f00:2"),
                Arguments.of("SIIT IPv4-translated", "::ffff:0:7f00:2"),
                Arguments.of("NAT64 well-known", "64:ff9b::7f00:2"),
                Arguments.of("NAT64 local-use", "64:ff9b:1::7f00:2"),
                Arguments.of("6to4", "2002:7f00:2::1"),
                Arguments.of("Teredo", "2001:0:7f00:2:8000:63bf:80ff:fffd"),
                Arguments.of("ISATAP", "2a00:1450:4001:800:0:5efe:7f00:2"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("embeddedForms")
    void rawEgressRefusesEveryFormThatEmbedsAPrivateIpv4(String form, String address) throws Exception {
        assertRawRefused("[" + address + "]:80", "special-purpose");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("embeddedAdmin")
    void rawEgressRefusesEveryFormOfItsOwnAdminPort(String form, String address) throws Exception {
        assertRawRefused("[" + address + "]:" + adminPort, "the target");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("embeddedForms")
    void proxyRefusesEveryFormThatEmbedsAPrivateIpv4(String form, String address) throws Exception {
        assertProxyRefused("[" + address + "]:80", "special-purpose");
    }

    @Test
    void ownListenersAreRefusedDespiteTheLoopbackAllowlistWhileTheOriginIsReached() throws Exception {
        // Admin on 127.0.0.2, QUIC on 0.0.0.0: the latter answers on every loopback address.
        for (String authority : List.of(
                "127.0.0.2:" + adminPort, "127.0.0.2:" + quicPort, "127.0.0.1:" + quicPort, "127.9.9.9:" + quicPort)) {
            assertRawRefused(authority, "the target is a relay listener");
            assertProxyRefused(authority, "the target is a relay listener");
        }
        assertRawRefused("0.0.0.0:" + origin.localAddress().getPort(), "one of the relays' own addresses");
        try (RawH3Client raw = raw()) {
            RawH3Client.Request r = raw.request(new DefaultHttp3Headers()
                    .method("CONNECT")
                    .authority("127.0.0.1:" + origin.localAddress().getPort()));
            assertThat(r.status()).isEqualTo(200);
        }
        try (Socket s = proxied("GET http://127.0.0.1:" + origin.localAddress().getPort() + "/ HTTP/1.1")) {
            assertThat(status(readHead(s.getInputStream()))).isEqualTo(200);
        }
    }

    @Test
    void theQuicPortIsRefusedOverConnectUdpToo() throws Exception {
        try (RawH3Client raw = raw()) {
            RawH3Client.Request r = raw.request(RawH3Client.connectUdp(
                    "127.0.0.1:" + quicPort, "/.well-known/masque/udp/127.0.0.2/" + quicPort + "/"));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.proxyStatus())
                    .isEqualTo("egress; error=destination_ip_prohibited; details=\"the target is a relay listener\"");
        }
    }

    @Test
    void theHostsOwnAddressesAreRefusedAtEveryPort() throws Exception {
        Optional<InetAddress> own = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
        Assumptions.assumeTrue(own.isPresent(), "the host has an IPv4 address outside loopback");
        String host = own.get().getHostAddress();
        assertRawRefused(host + ":" + quicPort, "the target is a relay listener");
        assertRawRefused(host + ":80", "the target is one of the relays' own addresses");
        assertProxyRefused(host + ":" + quicPort, "the target is a relay listener");
        assertProxyRefused(host + ":80", "the target is one of the relays' own addresses");
    }

    private static RawH3Client raw() throws Exception {
        // Straight to the egress, from an address in its ingress-prefixes: an ingress's view.
        return new RawH3Client(new InetSocketAddress("127.0.0.1", quicPort), LoopbackRelays.addr("127.0.0.1"));
    }

    private static void assertRawRefused(String authority, String reason) throws Exception {
        try (RawH3Client raw = raw()) {
            RawH3Client.Request r =
                    raw.request(new DefaultHttp3Headers().method("CONNECT").authority(authority));
            assertThat(r.status()).as(authority).isEqualTo(403);
            assertThat(r.proxyStatus())
                    .as(authority)
                    .startsWith("egress; error=destination_ip_prohibited; details=\"")
                    .contains(reason);
        }
    }

    private static void assertProxyRefused(String authority, String reason) throws Exception {
        try (Socket s = proxied("GET http://" + authority + "/metrics HTTP/1.1")) {
            String head = readHead(s.getInputStream());
            assertThat(status(head)).as(authority).isEqualTo(403);
            assertThat(field(head, "proxy-status"))
                    .as(authority)
                    .startsWith("egress; error=destination_ip_prohibited; details=\"")
                    .contains(reason);
        }
    }

    private static Socket proxied(String requestLine) throws Exception {
        Socket s = new Socket();
        s.connect(proxy.httpAddress(), 5000);
        s.setSoTimeout(30_000);
        String host = requestLine.split(" ")[1].replaceFirst("^http://", "").replaceFirst("/.*$", "");
        send(s, requestLine + "\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        return s;
    }
}
