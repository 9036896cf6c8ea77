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

import java.net.InetAddress;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HopConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.ConfigException;
import picocli.CommandLine.Option;

/** Options every client command shares. */
final class ClientOptions {
    @Option(names = "--config", required = true, description = "client.yaml")
    Path config;

    @Option(names = "--insecure", description = "Do not verify the relays' or the target's certificates. Testing only.")
    boolean insecure;

    @Option(
            names = "--location",
            defaultValue = "precise",
            description = "How precisely to present the ingress-asserted location to the egress: precise (the "
                    + "asserted geohash) or coarse (2 characters: country and time-zone level).",
            converter = LocationConverter.class)
    MasqueClient.LocationPrecision location = MasqueClient.LocationPrecision.PRECISE;

    /** Accepts {@code precise} and {@code coarse}, any case. */
    static final class LocationConverter implements picocli.CommandLine.ITypeConverter<MasqueClient.LocationPrecision> {
        @Override
        public MasqueClient.LocationPrecision convert(String value) {
            for (MasqueClient.LocationPrecision p : MasqueClient.LocationPrecision.values()) {
                if (p.name().equalsIgnoreCase(value)) {
                    return p;
                }
            }
            throw new picocli.CommandLine.TypeConversionException(
                    "'" + value + "' is not a location precision (expected: precise or coarse)");
        }
    }

    @Option(names = "--bind", description = "Local source address of the outer connection.")
    @Nullable
    String bind;

    @Option(
            names = "--no-quic-forwarding",
            description = "Keep every inner packet inside the outer connection (tunnelled mode). By default the"
                    + " client offers the ingress QUIC-aware forwarding (docs/quic-forwarding.md), as the config's"
                    + " quic-forwarding: true does.")
    boolean noQuicForwarding;

    @Option(
            names = "--transport",
            description = "How to reach the ingress: h3 (QUIC), h2 (HTTP/2 over TLS on TCP, for networks that block"
                    + " UDP) or auto (QUIC first, HTTP/2 after 250 ms or on failure). Default:"
                    + " the config's transport, else auto.",
            converter = TransportConverter.class)
    MasqueClient.@Nullable Transport transport;

    /** Accepts {@code h3}, {@code h2} and {@code auto}, any case. */
    static final class TransportConverter implements picocli.CommandLine.ITypeConverter<MasqueClient.Transport> {
        @Override
        public MasqueClient.Transport convert(String value) {
            try {
                return MasqueClient.Transport.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The config {@link #newClient} loaded, for naming the hops in error messages. */
    private @Nullable ClientConfig loaded;

    MasqueClient newClient() throws Exception {
        ClientConfig c = ClientConfig.load(config);
        loaded = c;
        InetAddress local = bind == null ? null : Addresses.address(bind);
        MasqueClient client = new MasqueClient(c, insecure, local, location);
        if (noQuicForwarding) {
            client.offerForwarding(java.util.List.of());
        }
        if (transport != null) {
            client.transport(transport);
        }
        return client;
    }

    /** {@link #report(Throwable)}, with the failing hop's address and name taken from the config. */
    int fail(Throwable e) {
        ClientConfig c = loaded;
        Throwable t = unwrap(e);
        if (c != null && t.getMessage() != null) {
            String m = t.getMessage();
            for (String hop : new String[] {"ingress", "egress"}) {
                if (!m.startsWith("cannot connect to the " + hop + ": ")) {
                    continue;
                }
                HopConfig h = hop.equals("ingress") ? c.ingress() : c.egress();
                String plain = hopFailure(hop, h, c, t);
                if (plain != null) {
                    System.err.println("error: " + plain);
                    if (Boolean.getBoolean("masque.debug")) {
                        t.printStackTrace();
                    }
                    return 1;
                }
            }
        }
        return report(e);
    }

    /** A hop that did not answer or whose certificate was refused, in words; null for anything else. */
    static @Nullable String hopFailure(String hop, HopConfig h, ClientConfig c, Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (cause instanceof io.netty.channel.ConnectTimeoutException) {
                return "no answer from the " + hop + " at " + h.address() + " within " + CONNECT_TIMEOUT_SECONDS
                        + " s"
                        + (hop.equals("ingress")
                                ? " (is it running, and does UDP reach it?)"
                                : " (the ingress forwarded the tunnel; is the egress running, and is it in the "
                                        + "ingress's egress-relays and the ingress in its ingress-prefixes?)");
            }
            if (cause instanceof javax.net.ssl.SSLHandshakeException) {
                // BoringSSL reports CERTIFICATE_VERIFY_FAILED for an unknown CA and a wrong name alike.
                String trust = h.pinnedKey() != null
                        ? "does not match pinned-key " + h.pinnedKey()
                        : "does not chain to ca-file " + c.caFile() + ", or does not name server-name "
                                + (h.serverName() != null ? h.serverName() : h.address());
                return "the " + hop + "'s certificate at " + h.address() + " was refused: it " + trust
                        + " (the TLS stack does not say which; check both, or try --insecure to tell)";
            }
        }
        return null;
    }

    /** {@code MasqueClient}'s handshake timeout, in seconds. */
    static final int CONNECT_TIMEOUT_SECONDS = MasqueClient.CONNECT_TIMEOUT_MILLIS / 1000;

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException
                        || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static int report(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException
                        || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ConfigException ce) {
            System.err.println(ce.getMessage());
            return MasqueCli.EX_CONFIG;
        }
        // Some failures (a timeout, a closed channel) carry no message: name the type instead.
        System.err.println("error: "
                + (t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName()));
        if (Boolean.getBoolean("masque.debug")) {
            t.printStackTrace();
        }
        return 1;
    }
}
