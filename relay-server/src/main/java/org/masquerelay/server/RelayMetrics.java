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
package org.masquerelay.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.masquerelay.protocol.tunnel.TunnelMetrics;

/**
 * A relay's metrics on a Micrometer registry: connections, open request streams (tunnels at the
 * ingress, flows at the egress), bytes, error responses by RFC 9209 type and datagram drops by
 * reason, and latency histograms of the set-up phases. Privacy (docs/architecture.md §2): no label ever carries a target, a client address or a token;
 * every label value comes from a closed set of constants.
 */
public final class RelayMetrics implements TunnelMetrics {
    private final MeterRegistry registry;
    private final String prefix;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger streams = new AtomicInteger();
    private final Counter bytesUpstream;
    private final Counter bytesDownstream;
    private final Counter streamsOpened;
    private final Counter connectionsAccepted;
    private final TaggedCounters errors;
    private final TaggedCounters challenges;
    private final TaggedCounters drops;
    private final TaggedCounters refused;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    /** One counter name with one tag, a counter per tag value, registered on first use. */
    private final class TaggedCounters {
        private final String name;
        private final String tag;
        private final String description;
        private final ConcurrentHashMap<String, Counter> byValue = new ConcurrentHashMap<>();

        TaggedCounters(String name, String tag, String description) {
            this.name = name;
            this.tag = tag;
            this.description = description;
        }

        void increment(String value) {
            byValue.computeIfAbsent(
                            value,
                            v -> Counter.builder(name)
                                    .tag(tag, v)
                                    .description(description)
                                    .register(registry))
                    .increment();
        }

        double count(String value) {
            Counter c = byValue.get(value);
            return c == null ? 0 : c.count();
        }
    }

    /**
     * @param prefix metric name prefix, such as {@code masque_ingress}
     * @param streamNoun what an open request stream is called in metric names ({@code tunnels},
     *     {@code flows})
     */
    public RelayMetrics(
            MeterRegistry registry, String prefix, String streamNoun, String connectionsHelp, String streamsHelp) {
        this.registry = registry;
        this.prefix = prefix;
        Gauge.builder(prefix + "_connections", connections, AtomicInteger::get)
                .description(connectionsHelp)
                .register(registry);
        Gauge.builder(prefix + "_" + streamNoun, streams, AtomicInteger::get)
                .description(streamsHelp)
                .register(registry);
        bytesUpstream = Counter.builder(prefix + "_bytes")
                .tag("direction", "upstream")
                .description("Payload bytes relayed")
                .register(registry);
        bytesDownstream = Counter.builder(prefix + "_bytes")
                .tag("direction", "downstream")
                .description("Payload bytes relayed")
                .register(registry);
        streamsOpened = Counter.builder(prefix + "_" + streamNoun + "_opened").register(registry);
        connectionsAccepted = Counter.builder(prefix + "_connections_accepted")
                .description("QUIC connections admitted, counted at their first packet: also those whose handshake"
                        + " never completes")
                .register(registry);
        errors = new TaggedCounters(prefix + "_errors", "type", "Error responses by Proxy-Status type");
        challenges = new TaggedCounters(
                prefix + "_auth_challenges",
                "reason",
                "407 answers (RFC 9577): token_required is the normal first round of a client without a token");
        drops = new TaggedCounters(prefix + "_datagram_drops", "reason", "Datagrams dropped");
        refused = new TaggedCounters(prefix + "_connections_refused", "reason", "Connections refused at a limit");
        // The process beside the relay's own counters: heap, threads, CPU, open files, uptime
        // (Micrometer's standard binders, with their standard names: jvm_*, process_*, system_*).
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public int connections() {
        return connections.get();
    }

    /** Open tunnels (ingress) or flows (egress). */
    public int tunnels() {
        return streams.get();
    }

    public void connectionOpened() {
        connectionsAccepted.increment();
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void tunnelOpened() {
        streamsOpened.increment();
        streams.incrementAndGet();
    }

    public void tunnelClosed() {
        streams.decrementAndGet();
    }

    /** Counts a QUIC connection refused at a limit, by {@code reason}. */
    public void connectionRefused(String reason) {
        refused.increment(reason);
    }

    /** Connections refused so far for {@code reason}. */
    public double refused(String reason) {
        return refused.count(reason);
    }

    /**
     * Counts a 407 with a Privacy Pass challenge, by reason ({@code token required} becomes
     * {@code token_required}). Not an error: every client's first request without a token gets
     * one (RFC 9577 §2).
     */
    public void challenge(String reason) {
        challenges.increment(reason.replace(' ', '_'));
    }

    /** Challenges counted so far for {@code reason}, as {@link #challenge} spells it. */
    public double challenges(String reason) {
        return challenges.count(reason.replace(' ', '_'));
    }

    /** Counts an error response by its RFC 9209 error type. */
    public void error(String proxyStatusType) {
        errors.increment(proxyStatusType);
    }

    /**
     * Records how long one set-up phase took, into the histogram {@code <prefix>_<phase>_seconds}
     * ({@code setup}: request HEADERS to the 2xx, everything included; the egress adds {@code dns}
     * and {@code connect}). {@code kind} is a constant such as {@code tcp flow} (tagged {@code tcp_flow}). The
     * buckets span 1 ms to 30 s, so Prometheus can take any quantile with {@code
     * histogram_quantile}.
     */
    public void phase(String phase, String kind, long nanos) {
        String tag = kind.replace(' ', '_');
        timers.computeIfAbsent(
                        phase + '|' + tag,
                        k -> Timer.builder(prefix + "_" + phase)
                                .tag("kind", tag)
                                .description(PHASES.getOrDefault(phase, phase))
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(1))
                                .maximumExpectedValue(Duration.ofSeconds(30))
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** How many times {@code phase} of {@code kind} was recorded. */
    public long phaseCount(String phase, String kind) {
        Timer t = timers.get(phase + '|' + kind.replace(' ', '_'));
        return t == null ? 0 : t.count();
    }

    private static final Map<String, String> PHASES = Map.of(
            "setup", "From a request's HEADERS to its 2xx",
            "dns", "Resolving a target's name (IP literals are not counted)",
            "connect", "From the resolved addresses to a connected (TCP) or bound (UDP) upstream socket");

    /** Registers a gauge over a counter owned elsewhere (for example the egress's ingress filter). */
    public void gauge(String name, String description, LongSupplier value) {
        // Micrometer holds gauge state weakly by default: a method reference would be collected
        // and the gauge would read NaN.
        Gauge.builder(name, value, v -> (double) v.getAsLong())
                .strongReference(true)
                .description(description)
                .register(registry);
    }

    @Override
    public void datagramDropped(String reason) {
        drops.increment(reason);
    }

    /** Datagrams dropped so far for {@code reason} (as counted by {@link #datagramDropped}). */
    public double drops(String reason) {
        return drops.count(reason);
    }

    @Override
    public void bytesFromPeer(long bytes) {
        bytesUpstream.increment((double) bytes);
    }

    @Override
    public void bytesToPeer(long bytes) {
        bytesDownstream.increment((double) bytes);
    }
}
