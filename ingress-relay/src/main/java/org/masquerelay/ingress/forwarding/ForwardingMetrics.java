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

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ingress's forwarded-mode counters, beside the tunnelled ones of {@code RelayMetrics}:
 * packets and bytes forwarded each way, packets dropped by reason, and registrations by kind and
 * outcome. None carries an address or a connection ID.
 */
final class ForwardingMetrics {
    private final MeterRegistry registry;
    private final Counter packetsToEgress;
    private final Counter packetsToClient;
    private final Counter bytesToEgress;
    private final Counter bytesToClient;
    private final ConcurrentHashMap<String, Counter> drops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> registrations = new ConcurrentHashMap<>();

    ForwardingMetrics(MeterRegistry registry) {
        this.registry = registry;
        String packets = "masque_ingress_forwarded_packets";
        String bytes = "masque_ingress_forwarded_bytes";
        String help = "Inner QUIC packets forwarded without outer encryption (draft-ietf-masque-quic-proxy)";
        packetsToEgress = Counter.builder(packets)
                .tag("direction", "upstream")
                .description(help)
                .register(registry);
        packetsToClient = Counter.builder(packets)
                .tag("direction", "downstream")
                .description(help)
                .register(registry);
        bytesToEgress = Counter.builder(bytes)
                .tag("direction", "upstream")
                .description(help)
                .register(registry);
        bytesToClient = Counter.builder(bytes)
                .tag("direction", "downstream")
                .description(help)
                .register(registry);
    }

    void toEgress(int bytes) {
        packetsToEgress.increment();
        bytesToEgress.increment(bytes);
    }

    void toClient(int bytes) {
        packetsToClient.increment();
        bytesToClient.increment(bytes);
    }

    void dropped(String reason) {
        drops.computeIfAbsent(
                        reason,
                        r -> Counter.builder("masque_ingress_forwarding_drops")
                                .tag("reason", r)
                                .description("Forwarded-mode packets dropped")
                                .register(registry))
                .increment();
    }

    /** @param kind {@code client} or {@code target}; @param outcome {@code accepted} or why refused */
    void registration(String kind, String outcome) {
        registrations
                .computeIfAbsent(
                        kind + "/" + outcome,
                        k -> Counter.builder("masque_ingress_forwarding_registrations")
                                .tag("kind", kind)
                                .tag("outcome", outcome)
                                .description("Connection-ID registrations (draft-ietf-masque-quic-proxy §6)")
                                .register(registry))
                .increment();
    }

    double packetsToEgress() {
        return packetsToEgress.count();
    }

    double packetsToClient() {
        return packetsToClient.count();
    }
}
