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

import java.util.concurrent.CompletionStage;

/**
 * Remembers which tokens were redeemed, per token key (docs/architecture.md §5). The default is in memory
 * ({@link CaffeineSpentTokenStore}); a fleet of ingresses shares a Redis or Valkey server ({@link
 * RedisSpentTokenStore}), so a token spent at one ingress is refused at every other.
 *
 * <p>The answer is a stage because a shared store answers over the network: the caller must not
 * block its event loop on it. It may complete on any thread.
 */
public interface SpentTokenStore {
    /**
     * Marks the token with {@code nonce} under {@code tokenKeyId} as spent.
     *
     * @return true if it was not spent before (redeem it), false on a double spend; completes
     *     exceptionally with a {@link org.masquerelay.protocol.status.RelayException} when the store
     *     cannot decide
     */
    CompletionStage<Boolean> markSpent(byte[] tokenKeyId, byte[] nonce);
}
