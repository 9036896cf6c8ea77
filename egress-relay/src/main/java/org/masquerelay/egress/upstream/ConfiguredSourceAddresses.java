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

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.pool.City;

/**
 * Source addresses from the config's {@code source-addresses} list, used when geo routing is
 * off (the city is ignored). With an empty list the OS chooses. Otherwise the address is picked
 * by the connection key, so one inner connection keeps one address per family and different
 * connections spread over the list.
 */
public final class ConfiguredSourceAddresses implements SourceAddressSelector {
    private final List<InetAddress> v4;
    private final List<InetAddress> v6;
    private final boolean osChooses;

    public ConfiguredSourceAddresses(List<InetAddress> addresses) {
        this.v4 = addresses.stream().filter(a -> !(a instanceof Inet6Address)).toList();
        this.v6 = addresses.stream().filter(a -> a instanceof Inet6Address).toList();
        this.osChooses = addresses.isEmpty();
    }

    @Override
    public Optional<InetAddress> select(byte[] connectionKey, @Nullable City city, boolean ipv6) {
        List<InetAddress> list = ipv6 ? v6 : v4;
        if (list.isEmpty()) {
            return Optional.empty();
        }
        long k = ByteBuffer.wrap(connectionKey).getLong();
        return Optional.of(list.get((int) Math.floorMod(k, (long) list.size())));
    }

    @Override
    public boolean supports(@Nullable City city, boolean ipv6) {
        return osChooses || !(ipv6 ? v6 : v4).isEmpty();
    }

    public List<InetAddress> all() {
        return java.util.stream.Stream.concat(v4.stream(), v6.stream()).toList();
    }
}
