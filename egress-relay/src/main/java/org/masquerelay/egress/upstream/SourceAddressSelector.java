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
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.pool.City;

/**
 * Chooses the local address the egress dials a target from. The selection may depend on the
 * inner connection (so one client connection keeps one address) and on the city its verified
 * location maps to, but never on anything that identifies the client (docs/architecture.md §4).
 */
public interface SourceAddressSelector {
    /**
     * @param connectionKey a random key of the inner connection, stable for its life
     * @param city the city the request's location maps to, or null when geo routing is off
     * @param ipv6 whether the target address is IPv6
     * @return the address to bind, or empty to let the OS choose
     */
    Optional<InetAddress> select(byte[] connectionKey, @Nullable City city, boolean ipv6);

    /** Whether targets of this family can be dialled for {@code city} (null: geo routing off). */
    boolean supports(@Nullable City city, boolean ipv6);
}
