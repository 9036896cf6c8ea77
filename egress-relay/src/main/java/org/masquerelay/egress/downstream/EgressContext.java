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
package org.masquerelay.egress.downstream;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.masquerelay.egress.policy.DestinationPolicy;
import org.masquerelay.egress.policy.LocationVerifier;
import org.masquerelay.egress.upstream.TargetDialer;
import org.masquerelay.egress.upstream.TargetResolver;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.masquerelay.server.RelayMetrics;
import org.masquerelay.server.TunnelCounter;

/**
 * What every request handler of one egress shares. Immutable settings plus thread-safe parts.
 * {@code locations} is empty when geo routing is off.
 */
public record EgressContext(
        UdpProxyTemplate template,
        String proxyName,
        DestinationPolicy policy,
        TargetResolver resolver,
        TargetDialer dialer,
        TunnelCounter counter,
        RelayMetrics metrics,
        BooleanSupplier drainingFlag,
        Optional<LocationVerifier> locations) {
    public boolean draining() {
        return drainingFlag.getAsBoolean();
    }
}
