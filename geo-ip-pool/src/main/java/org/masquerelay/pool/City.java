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
package org.masquerelay.pool;

import java.util.List;
import java.util.Objects;
import org.masquerelay.config.IpPrefix;

/**
 * One city of the pool registry: where it is, and the source prefixes the egress dials from
 * when a client is located nearest to it (docs/architecture.md §4). Its RFC 8805 rows say the same place
 * (§2.1.1.2-§2.1.1.4), so websites geolocate those addresses to this city.
 *
 * @param id a stable key for {@code country-fallbacks} and logs, such as {@code london}
 * @param region an ISO 3166-2 code of {@code country}, or empty
 * @param prefixes the source prefixes, sorted IPv4 first, then by address
 */
public record City(
        String id, String name, String country, String region, Coordinates location, List<IpPrefix> prefixes) {
    public City {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(country, "country");
        Objects.requireNonNull(location, "location");
        region = region == null ? "" : region;
        prefixes = prefixes.stream().sorted().toList();
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException("city " + id + " has no prefixes (expected: at least one)");
        }
    }

    /** The prefixes of one address family, in order. */
    public List<IpPrefix> prefixes(boolean ipv6) {
        return prefixes.stream().filter(p -> p.isIpv6() == ipv6).toList();
    }

    public boolean hasIpv4() {
        return prefixes.stream().anyMatch(p -> !p.isIpv6());
    }

    public boolean hasIpv6() {
        return prefixes.stream().anyMatch(IpPrefix::isIpv6);
    }
}
