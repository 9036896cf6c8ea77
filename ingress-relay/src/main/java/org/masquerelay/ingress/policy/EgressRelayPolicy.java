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
package org.masquerelay.ingress.policy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.protocol.uri.Target;

/**
 * The ingress forwards only to configured egress relays: a connect-udp ingress that forwards
 * anywhere is an open UDP proxy. A request target matches when it is the same IP literal and
 * port as a configured relay; names are never resolved here, so a hostile client cannot make
 * the ingress look anything up.
 */
public final class EgressRelayPolicy {
    private final List<InetSocketAddress> relays;

    public EgressRelayPolicy(List<InetSocketAddress> relays) {
        this.relays = List.copyOf(relays);
    }

    /** The configured relay {@code target} names, or null if it names none. */
    public @Nullable InetSocketAddress lookup(Target target) {
        if (!target.isIpLiteral()) {
            return null;
        }
        InetAddress address;
        try {
            address = InetAddress.getByAddress(IpPrefix.parseLiteral(target.host()));
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return null;
        }
        for (InetSocketAddress r : relays) {
            if (r.getPort() == target.port() && r.getAddress().equals(address)) {
                return r;
            }
        }
        return null;
    }

    public List<InetSocketAddress> relays() {
        return relays;
    }
}
