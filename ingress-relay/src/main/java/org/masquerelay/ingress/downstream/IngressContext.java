package org.masquerelay.ingress.downstream;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.masquerelay.ingress.IngressMetrics;
import org.masquerelay.ingress.policy.EgressRelayPolicy;
import org.masquerelay.protocol.uri.UdpProxyTemplate;

/**
 * What every request handler of one ingress shares: immutable settings plus thread-safe
 * counters. Built once by the server.
 */
public record IngressContext(UdpProxyTemplate template, EgressRelayPolicy egressRelays, String proxyName,
                             Duration idleTimeout, TunnelCounter counter, IngressMetrics metrics,
                             BooleanSupplier drainingFlag) {
    public boolean draining() {
        return drainingFlag.getAsBoolean();
    }
}
