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
