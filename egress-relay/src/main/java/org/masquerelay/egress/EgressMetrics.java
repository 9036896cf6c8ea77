package org.masquerelay.egress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.masquerelay.protocol.tunnel.TunnelMetrics;

/**
 * The egress's metrics, served as Prometheus text on the admin listener. Privacy (DESIGN §2):
 * no label ever carries a target, a client address or a token; labels are closed sets.
 */
public final class EgressMetrics implements TunnelMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger tunnels = new AtomicInteger();
    private final Counter bytesUpstream;
    private final Counter bytesDownstream;
    private final Counter tunnelsOpened;
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> drops = new ConcurrentHashMap<>();

    public EgressMetrics() {
        Gauge.builder("masque_egress_connections", connections, AtomicInteger::get)
                .description("Open inner QUIC connections (from ingress relays)").register(registry);
        Gauge.builder("masque_egress_flows", tunnels, AtomicInteger::get)
                .description("Open CONNECT and connect-udp flows").register(registry);
        bytesUpstream = Counter.builder("masque_egress_bytes").tag("direction", "upstream")
                .description("UDP payload bytes relayed").register(registry);
        bytesDownstream = Counter.builder("masque_egress_bytes").tag("direction", "downstream")
                .description("UDP payload bytes relayed").register(registry);
        tunnelsOpened = Counter.builder("masque_egress_flows_opened").register(registry);
    }

    public int connections() {
        return connections.get();
    }

    public int tunnels() {
        return tunnels.get();
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void tunnelOpened() {
        tunnelsOpened.increment();
        tunnels.incrementAndGet();
    }

    public void tunnelClosed() {
        tunnels.decrementAndGet();
    }


    /** Counts an error response by its RFC 9209 error type. */
    public void error(String proxyStatusType) {
        errors.computeIfAbsent(proxyStatusType, t -> Counter.builder("masque_egress_errors")
                .tag("type", t).description("Error responses by Proxy-Status type").register(registry)).increment();
    }

    @Override
    public void datagramDropped(String reason) {
        drops.computeIfAbsent(reason, r -> Counter.builder("masque_egress_datagram_drops")
                .tag("reason", r).description("Datagrams dropped").register(registry)).increment();
    }

    @Override
    public void bytesFromPeer(long bytes) {
        bytesUpstream.increment(bytes);
    }

    @Override
    public void bytesToPeer(long bytes) {
        bytesDownstream.increment(bytes);
    }

    /** Registers a gauge over a counter owned elsewhere (for example the ingress filter). */
    public void gauge(String name, String description, java.util.function.LongSupplier value) {
        Gauge.builder(name, value, v -> (double) v.getAsLong()).description(description).register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }
}
