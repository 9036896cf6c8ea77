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
package org.masquerelay.egress.upstream;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.pool.AddressSelector;
import org.masquerelay.pool.City;
import org.masquerelay.pool.PoolRegistry;

/**
 * Source addresses from the city pool (docs/architecture.md §4): inside the request's city, the address
 * follows from the inner connection's random key and the rotation epoch, so one connection
 * keeps one address per epoch, connections spread over the pool, and addresses rotate. The
 * family follows the target: an IPv6 target is dialled from the city's IPv6 prefix, an IPv4
 * one from its IPv4 prefix; the resolver orders IPv6 first when both exist.
 */
public final class PoolSourceAddresses implements SourceAddressSelector {
    private final PoolRegistry registry;
    private final Clock clock;

    public PoolSourceAddresses(PoolRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public Optional<InetAddress> select(byte[] connectionKey, @Nullable City city, boolean ipv6) {
        if (city == null) {
            throw new IllegalStateException("geo routing is on but the request has no city");
        }
        long epoch = registry.epochOf(clock.instant());
        return AddressSelector.select(city, connectionKey, epoch, !ipv6, ipv6);
    }

    @Override
    public boolean supports(@Nullable City city, boolean ipv6) {
        return city != null && (ipv6 ? city.hasIpv6() : city.hasIpv4());
    }
}
