package org.masquerelay.ingress.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory spent-token set: one bounded Caffeine cache of nonces per token key, so a key's
 * whole set goes when the key is retired. Bounded in memory: at {@code maxEntriesPerKey} the
 * least recently seen nonces are evicted, and a token evicted that way could be spent once more;
 * size it above the number of tokens one key issues (an entry costs about 100 bytes).
 * Thread-safe.
 */
public final class CaffeineSpentTokenStore implements SpentTokenStore {
    private final long maxEntriesPerKey;
    private final Map<ByteBuffer, Cache<ByteBuffer, Boolean>> byKey = new ConcurrentHashMap<>();

    public CaffeineSpentTokenStore(long maxEntriesPerKey) {
        this.maxEntriesPerKey = maxEntriesPerKey;
    }

    @Override
    public boolean markSpent(byte[] tokenKeyId, byte[] nonce) {
        Cache<ByteBuffer, Boolean> spent = byKey.computeIfAbsent(ByteBuffer.wrap(tokenKeyId.clone()),
                k -> Caffeine.newBuilder().maximumSize(maxEntriesPerKey).build());
        return spent.asMap().putIfAbsent(ByteBuffer.wrap(nonce.clone()), Boolean.TRUE) == null;
    }

    /** Forgets every token of a retired key. */
    public void retireKey(byte[] tokenKeyId) {
        byKey.remove(ByteBuffer.wrap(tokenKeyId));
    }
}
