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
package org.masquerelay.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of request streams (tunnels at the ingress, flows at the egress) against a
 * per-connection and a relay-wide limit. The relay-wide count is atomic (connections live on
 * different event loops); the per-connection count lives on the connection and is only touched
 * on its event loop. A slot is released when its stream closes, whatever the reason.
 */
public final class TunnelCounter {
    private static final AttributeKey<int[]> PER_CONNECTION = AttributeKey.valueOf(TunnelCounter.class, "open");
    private final AtomicInteger global = new AtomicInteger();
    private volatile int maxGlobal;
    private volatile int maxPerConnection;

    public TunnelCounter(int maxGlobal, int maxPerConnection) {
        this.maxGlobal = maxGlobal;
        this.maxPerConnection = maxPerConnection;
    }

    /**
     * New limits for the next admissions (a config reload). Open streams keep their slots; above
     * a lowered limit no new stream is admitted until enough have closed.
     */
    public void limits(int newMaxGlobal, int newMaxPerConnection) {
        this.maxGlobal = newMaxGlobal;
        this.maxPerConnection = newMaxPerConnection;
    }

    /** Takes a slot for {@code stream} until it closes, or returns false when a limit is reached. */
    public boolean tryAcquire(Channel stream) {
        Channel connection = stream.parent();
        int[] mine = connection.attr(PER_CONNECTION).setIfAbsent(new int[1]);
        if (mine == null) {
            mine = connection.attr(PER_CONNECTION).get();
        }
        if (mine[0] >= maxPerConnection) {
            return false;
        }
        while (true) {
            int g = global.get();
            if (g >= maxGlobal) {
                return false;
            }
            if (global.compareAndSet(g, g + 1)) {
                break;
            }
        }
        mine[0]++;
        int[] slot = mine;
        stream.closeFuture().addListener(f -> {
            slot[0]--;
            global.decrementAndGet();
        });
        return true;
    }
}
