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

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    public CompletionStage<Boolean> markSpent(byte[] tokenKeyId, byte[] nonce) {
        return CompletableFuture.completedFuture(markSpentNow(tokenKeyId, nonce));
    }

    /** {@link #markSpent}, answered at once. */
    public boolean markSpentNow(byte[] tokenKeyId, byte[] nonce) {
        Cache<ByteBuffer, Boolean> spent = byKey.computeIfAbsent(
                ByteBuffer.wrap(tokenKeyId.clone()),
                k -> Caffeine.newBuilder().maximumSize(maxEntriesPerKey).build());
        return spent.asMap().putIfAbsent(ByteBuffer.wrap(nonce.clone()), Boolean.TRUE) == null;
    }
}
