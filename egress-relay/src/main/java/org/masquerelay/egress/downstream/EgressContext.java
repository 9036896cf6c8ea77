package org.masquerelay.egress.downstream;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.masquerelay.egress.policy.DestinationPolicy;
import org.masquerelay.egress.policy.LocationVerifier;
import org.masquerelay.egress.upstream.HappyEyeballsConnector;
import org.masquerelay.egress.upstream.SourceAddressSelector;
import org.masquerelay.egress.upstream.TargetResolver;
import org.masquerelay.server.RelayMetrics;
import org.masquerelay.server.TunnelCounter;
import org.masquerelay.protocol.uri.UdpProxyTemplate;

/**
 * What every request handler of one egress shares. Immutable settings plus thread-safe parts.
 * {@code locations} is null when geo routing is off.
 */
public record EgressContext(UdpProxyTemplate template, String proxyName, DestinationPolicy policy,
                            TargetResolver resolver, HappyEyeballsConnector connector, EventLoopGroup tcpGroup,
                            SourceAddressSelector sources, Duration udpIdleTimeout, TunnelCounter counter,
                            RelayMetrics metrics, BooleanSupplier drainingFlag,
                            LocationVerifier locations) {
    public boolean draining() {
        return drainingFlag.getAsBoolean();
    }
}
