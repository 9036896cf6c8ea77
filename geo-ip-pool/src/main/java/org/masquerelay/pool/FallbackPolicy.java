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

import java.util.Arrays;
import java.util.Optional;

/**
 * What the egress does when the asserted country has no city in the pool registry and no
 * {@code country-fallbacks} entry (docs/architecture.md §4).
 */
public enum FallbackPolicy {
    /**
     * Refuse: no source address, so the egress answers 403. The default, because an address
     * geolocated to another country misleads the target about where the user is.
     */
    DENY("deny"),
    /** Use the nearest city of any country, for deployments that prefer service to accuracy. */
    NEAREST_ANY("nearest-any");

    private final String token;

    FallbackPolicy(String token) {
        this.token = token;
    }

    /** The spelling in the pool file. */
    public String token() {
        return token;
    }

    public static Optional<FallbackPolicy> of(String token) {
        return Arrays.stream(values()).filter(p -> p.token.equals(token)).findFirst();
    }
}
