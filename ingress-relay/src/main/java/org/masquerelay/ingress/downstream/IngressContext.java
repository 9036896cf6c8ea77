package org.masquerelay.ingress.downstream;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.ingress.policy.EgressRelayPolicy;
import org.masquerelay.ingress.policy.TokenAuthenticator;
import org.masquerelay.server.RelayMetrics;
import org.masquerelay.server.TunnelCounter;
import org.masquerelay.protocol.uri.UdpProxyTemplate;

/**
 * What every request handler of one ingress shares: immutable settings plus thread-safe
 * counters. Built once by the server. {@code locator} is null when geolocation is off, and
 * {@code tokens} when access control is.
 */
public record IngressContext(UdpProxyTemplate template, EgressRelayPolicy egressRelays, String proxyName,
                             Duration idleTimeout, TunnelCounter counter, RelayMetrics metrics,
                             BooleanSupplier drainingFlag, ClientLocator locator,
                             TokenAuthenticator tokens) {
    public boolean draining() {
        return drainingFlag.getAsBoolean();
    }
}
