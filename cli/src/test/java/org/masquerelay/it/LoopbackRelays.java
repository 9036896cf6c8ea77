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

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.masquerelay.cli.LoopbackDeployment;
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
import org.masquerelay.proxy.SocksCredentials;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * A real egress, ingress and HTTP origin on loopback, from the files {@code masque init} writes,
 * for one test class (in the manner of Armeria's {@code ServerExtension}). Register it on a static
 * field with {@code @RegisterExtension}; it starts before the class's {@code @BeforeAll} methods.
 *
 * <p>Addresses make every "who saw what" assertion unambiguous: clients bind {@link #CLIENT}, the
 * egress dials from {@link #EGRESS_SOURCE} and targets listen on {@link #TARGET}.
 */
final class LoopbackRelays implements BeforeAllCallback, AfterAllCallback {
    static final InetAddress CLIENT = addr("127.0.0.5");
    static final InetAddress EGRESS_SOURCE = addr("127.0.0.77");
    static final InetAddress TARGET = addr("127.0.0.99");

    /**
     * Event loops per relay: more than one, so every test that uses these relays goes through
     * the SO_REUSEPORT sockets and the QUIC codec dispatcher, as a relay on a multi-core host does.
     */
    static final int RELAY_THREADS = 2;

    private Path dir;
    private HttpOrigin origin;
    private EgressServer egress;
    private IngressServer ingress;
    private final List<AutoCloseable> extras = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("masque-it");
        origin = new HttpOrigin(new InetSocketAddress(TARGET, 0));
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.free(), List.of(EGRESS_SOURCE.getHostAddress()));
        egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")), RELAY_THREADS);
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")), RELAY_THREADS);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        List<AutoCloseable> all = new ArrayList<>(extras);
        all.addAll(List.of(ingress, egress, origin));
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Closes {@code c} after the class, before the relays. */
    <T extends AutoCloseable> T closeAfterAll(T c) {
        extras.add(0, c);
        return c;
    }

    Path dir() {
        return dir;
    }

    HttpOrigin origin() {
        return origin;
    }

    EgressServer egress() {
        return egress;
    }

    IngressServer ingress() {
        return ingress;
    }

    ClientConfig clientConfig() throws Exception {
        return ClientConfig.load(dir.resolve("client.yaml"));
    }

    /** A client bound to {@link #CLIENT}, verifying both relays with the deployment's CA. */
    MasqueClient newClient() throws Exception {
        return new MasqueClient(clientConfig(), false, CLIENT);
    }

    /**
     * A local proxy on loopback ports whose pool makes clients of this deployment, closed after
     * the class (closing it earlier is fine).
     */
    ProxyServer startProxy(boolean socks, boolean http, SocksCredentials users, int maxStreams) throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Duration timeout = Duration.ofSeconds(20);
        return closeAfterAll(ProxyServer.start(
                ProxyConfig.of(socks ? any : null, http ? any : null, users, maxStreams, timeout),
                new ClientPool(this::newClient, maxStreams, timeout)));
    }

    /** Kills the ingress (CONNECTION_CLOSE to its clients, no drain), as a crashed hop would. */
    void stopIngress() {
        ingress.close();
    }

    /** Starts the ingress again on the same address. */
    void restartIngress() throws Exception {
        ingress = IngressServer.start(IngressConfig.load(dir.resolve("ingress.yaml")), RELAY_THREADS);
    }

    /** Fetches {@code n} bytes of the origin's pattern through {@code client} and checks them byte for byte. */
    static void fetchExact(MasqueClient client, HttpOrigin origin, long n) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            HttpFetcher.Result r = HttpFetcher.fetch(client, origin.uri("/bytes/" + n), out, false)
                    .get(120, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyBytes()).isEqualTo(n);
        }
        assertThat(sha.digest()).isEqualTo(HttpOrigin.patternSha256(n));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
