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
package org.masquerelay.ingress.downstream;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.masquerelay.ingress.forwarding.QuicForwarding;
import org.masquerelay.ingress.policy.ClientLocator;
import org.masquerelay.ingress.policy.EgressRelayPolicy;
import org.masquerelay.ingress.policy.TokenAuthenticator;
import org.masquerelay.ingress.upstream.EgressDialer;
import org.masquerelay.protocol.uri.UdpProxyTemplate;
import org.masquerelay.server.RelayMetrics;
import org.masquerelay.server.TunnelCounter;

/**
 * What every request handler of one ingress shares: immutable settings plus thread-safe
 * counters. Built once by the server. {@code locator} is empty when geolocation is off, and
 * {@code tokens} when access control is.
 */
public record IngressContext(
        UdpProxyTemplate template,
        EgressRelayPolicy egressRelays,
        String proxyName,
        EgressDialer dialer,
        TunnelCounter counter,
        RelayMetrics metrics,
        BooleanSupplier drainingFlag,
        Optional<ClientLocator> locator,
        Optional<TokenAuthenticator> tokens,
        Optional<QuicForwarding> forwarding) {
    public boolean draining() {
        return drainingFlag.getAsBoolean();
    }
}
