package org.masquerelay.ingress.policy;

/**
 * Remembers which tokens were redeemed, per token key (docs/architecture.md §5). The default is in memory
 * ({@link CaffeineSpentTokenStore}); a fleet of ingresses shares one implementation backed by a
 * shared store, so a token spent at one ingress is refused at every other.
 */
public interface SpentTokenStore {
    /**
     * Marks the token with {@code nonce} under {@code tokenKeyId} as spent.
     *
     * @return true if it was not spent before (redeem it), false on a double spend
     */
    boolean markSpent(byte[] tokenKeyId, byte[] nonce);
}
