package org.masquerelay.protocol.tunnel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A relay's metrics on a Micrometer registry: connections, open request streams (tunnels at the
 * ingress, flows at the egress), bytes, error responses by RFC 9209 type and datagram drops by
 * reason. Privacy (DESIGN §2): no label ever carries a target, a client address or a token;
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
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> drops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> refused = new ConcurrentHashMap<>();

    /**
     * @param prefix metric name prefix, such as {@code masque_ingress}
     * @param streamNoun what an open request stream is called in metric names ({@code tunnels},
     *     {@code flows})
     */
    public RelayMetrics(MeterRegistry registry, String prefix, String streamNoun, String connectionsHelp,
                        String streamsHelp) {
        this.registry = registry;
        this.prefix = prefix;
        Gauge.builder(prefix + "_connections", connections, AtomicInteger::get)
                .description(connectionsHelp).register(registry);
        Gauge.builder(prefix + "_" + streamNoun, streams, AtomicInteger::get)
                .description(streamsHelp).register(registry);
        bytesUpstream = Counter.builder(prefix + "_bytes").tag("direction", "upstream")
                .description("Payload bytes relayed").register(registry);
        bytesDownstream = Counter.builder(prefix + "_bytes").tag("direction", "downstream")
                .description("Payload bytes relayed").register(registry);
        streamsOpened = Counter.builder(prefix + "_" + streamNoun + "_opened").register(registry);
    }

    public int connections() {
        return connections.get();
    }

    /** Open tunnels (ingress) or flows (egress). */
    public int tunnels() {
        return streams.get();
    }

    public void connectionOpened() {
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
        refused.computeIfAbsent(reason, r -> Counter.builder(prefix + "_connections_refused")
                .tag("reason", r).description("Connections refused at a limit").register(registry)).increment();
    }

    /** Connections refused so far for {@code reason}. */
    public double refused(String reason) {
        Counter c = refused.get(reason);
        return c == null ? 0 : c.count();
    }

    /** Counts an error response by its RFC 9209 error type. */
    public void error(String proxyStatusType) {
        errors.computeIfAbsent(proxyStatusType, t -> Counter.builder(prefix + "_errors")
                .tag("type", t).description("Error responses by Proxy-Status type").register(registry)).increment();
    }

    /** Registers a gauge over a counter owned elsewhere (for example the egress's ingress filter). */
    public void gauge(String name, String description, LongSupplier value) {
        // Micrometer holds gauge state weakly by default: a method reference would be collected
        // and the gauge would read NaN.
        Gauge.builder(name, value, v -> (double) v.getAsLong()).strongReference(true).description(description)
                .register(registry);
    }

    @Override
    public void datagramDropped(String reason) {
        drops.computeIfAbsent(reason, r -> Counter.builder(prefix + "_datagram_drops")
                .tag("reason", r).description("Datagrams dropped").register(registry)).increment();
    }

    /** Datagrams dropped so far for {@code reason} (as counted by {@link #datagramDropped}). */
    public double drops(String reason) {
        Counter c = drops.get(reason);
        return c == null ? 0 : c.count();
    }

    @Override
    public void bytesFromPeer(long bytes) {
        bytesUpstream.increment(bytes);
    }

    @Override
    public void bytesToPeer(long bytes) {
        bytesDownstream.increment(bytes);
    }
}
