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
package org.masquerelay.ingress.forwarding;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.AttributeKey;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.masquerelay.ingress.config.ForwardingConfig;
import org.masquerelay.protocol.quicproxy.MalformedQuicProxyException;
import org.masquerelay.protocol.quicproxy.PacketTransform;
import org.masquerelay.protocol.quicproxy.ProxyQuicForwarding;

/**
 * The ingress's QUIC-aware forwarding (docs/quic-forwarding.md): one per ingress, shared by every
 * listening socket and tunnel. It negotiates forwarded mode on a connect-udp request
 * (draft-ietf-masque-quic-proxy §4), makes the per-tunnel {@link ForwardingSession}, and owns the
 * table of virtual connection IDs and the filter that reads it.
 *
 * <p>Negotiation is lenient, as the draft asks: a request without the field, with {@code ?0}, with
 * no {@code accept-transform}, with a malformed value, without a transform we allow, or with a
 * scramble offer but no 32-byte key, is served tunnelled, with no {@code Proxy-QUIC-Forwarding}
 * in the answer. Among the client's transforms the first one this ingress allows wins: the
 * client's order is its preference (§4).
 */
public final class QuicForwarding {
    /** Connection-ID registrations held by one client connection, over all its tunnels. */
    private static final AttributeKey<AtomicInteger> REGISTRATIONS =
            AttributeKey.valueOf(QuicForwarding.class, "registrations");

    private final ForwardingTable table = new ForwardingTable();
    private final ForwardingMetrics metrics;
    private final List<String> transforms;
    private final int maxRegistrationsPerConnection;
    private final SecureRandom random = new SecureRandom();
    private final ForwardedPacketFilter filter;

    private QuicForwarding(ForwardingConfig config, MeterRegistry registry) {
        this.metrics = new ForwardingMetrics(registry);
        this.transforms = List.copyOf(config.transformsOrDefault());
        this.maxRegistrationsPerConnection = config.maxRegistrationsPerConnectionOrDefault();
        this.filter = new ForwardedPacketFilter(table, metrics);
    }

    /** The ingress's forwarding, or empty when {@code config} turns it off. */
    public static Optional<QuicForwarding> create(ForwardingConfig config, MeterRegistry registry) {
        return config.enabledOrDefault() ? Optional.of(new QuicForwarding(config, registry)) : Optional.empty();
    }

    /** The handler to put in front of the QUIC codec on every listening socket. */
    public ChannelHandler filter() {
        return filter;
    }

    /** What a request and this ingress agreed on; {@link #responseField} goes in the 2xx. */
    public static final class Negotiated {
        private final String transform;
        private final byte[] clientKey;
        private final byte[] ownKey;

        Negotiated(String transform, byte[] clientKey, byte[] ownKey) {
            this.transform = transform;
            this.clientKey = clientKey;
            this.ownKey = ownKey;
        }

        /** The {@code Proxy-QUIC-Forwarding} value of the answer (§4): our choice and our key. */
        public String responseField() {
            return transform.equals(PacketTransform.Scramble.NAME)
                    ? ProxyQuicForwarding.accept(transform, ownKey).toFieldValue()
                    : new ProxyQuicForwarding(true, List.of(), Optional.of(transform), Optional.empty()).toFieldValue();
        }

        PacketTransform decoder() {
            return transform.equals(PacketTransform.Scramble.NAME)
                    ? new PacketTransform.Scramble(clientKey)
                    : new PacketTransform.Identity();
        }

        PacketTransform encoder() {
            return transform.equals(PacketTransform.Scramble.NAME)
                    ? new PacketTransform.Scramble(ownKey)
                    : new PacketTransform.Identity();
        }
    }

    /** Reads the client's offer in {@code request}; empty means the tunnel stays tunnelled. */
    public Optional<Negotiated> negotiate(Http3Headers request) {
        CharSequence value = request.get(ProxyQuicForwarding.FIELD);
        if (value == null) {
            return Optional.empty();
        }
        ProxyQuicForwarding offer;
        try {
            offer = ProxyQuicForwarding.parse(value.toString());
        } catch (MalformedQuicProxyException e) {
            metrics.registration("negotiation", "malformed_field"); // RFC 8941 §4.2: ignore the field
            return Optional.empty();
        }
        CharSequence capsules = request.get("capsule-protocol");
        if (!offer.enabled() || capsules == null || !"?1".contentEquals(capsules)) {
            return Optional.empty(); // §3.3: without capsules nothing of the draft applies
        }
        for (String t : offer.acceptTransforms()) {
            if (!transforms.contains(t)) {
                continue;
            }
            if (t.equals(PacketTransform.Scramble.NAME)) {
                byte[] key = offer.scrambleKey().orElse(null);
                if (key == null || key.length != PacketTransform.Scramble.KEY_LENGTH) {
                    metrics.registration("negotiation", "bad_scramble_key"); // §7.3.2: no forwarding
                    return Optional.empty();
                }
                metrics.registration("negotiation", "accepted");
                return Optional.of(new Negotiated(t, key, PacketTransform.Scramble.newKey(random)));
            }
            metrics.registration("negotiation", "accepted");
            return Optional.of(new Negotiated(t, new byte[0], new byte[0]));
        }
        metrics.registration("negotiation", "no_common_transform");
        return Optional.empty();
    }

    /** The forwarding state of the tunnel on {@code stream}; {@link ForwardingSession#attach} it once the socket is up. */
    public ForwardingSession session(QuicStreamChannel stream, Negotiated negotiated) {
        return new ForwardingSession(this, stream, negotiated);
    }

    ForwardingTable table() {
        return table;
    }

    ForwardingMetrics metrics() {
        return metrics;
    }

    SecureRandom random() {
        return random;
    }

    /** Takes one registration slot of {@code connection}; false at the limit. */
    boolean reserve(QuicChannel connection) {
        AtomicInteger held = connection.attr(REGISTRATIONS).setIfAbsent(new AtomicInteger());
        AtomicInteger h = held == null ? connection.attr(REGISTRATIONS).get() : held;
        if (h.incrementAndGet() > maxRegistrationsPerConnection) {
            h.decrementAndGet();
            return false;
        }
        return true;
    }

    void unreserve(QuicChannel connection) {
        AtomicInteger h = connection.attr(REGISTRATIONS).get();
        if (h != null) {
            h.decrementAndGet();
        }
    }

    /** Forwarded packets so far, client to egress and egress to client: what tests read. */
    public double packetsForwarded(boolean upstream) {
        return upstream ? metrics.packetsToEgress() : metrics.packetsToClient();
    }

    /** Target virtual IDs in the table now. */
    public int routes() {
        return table.size();
    }
}
