package org.masquerelay.ingress.downstream;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission against the per-connection and relay-wide tunnel limits. The global count is an
 * atomic (connections live on different event loops); the per-connection count lives on the
 * connection and is only touched on its event loop.
 */
public final class TunnelCounter {
    private static final AttributeKey<int[]> PER_CONNECTION = AttributeKey.valueOf(TunnelCounter.class, "tunnels");
    private final AtomicInteger global;
    private final int maxGlobal;
    private final int maxPerConnection;

    public TunnelCounter(AtomicInteger global, int maxGlobal, int maxPerConnection) {
        this.global = global;
        this.maxGlobal = maxGlobal;
        this.maxPerConnection = maxPerConnection;
    }

    /** Takes a slot or returns false; a true result must be paired with {@link #release}. */
    public boolean tryAcquire(Channel connection) {
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
        return true;
    }

    public void release(Channel connection) {
        int[] mine = connection.attr(PER_CONNECTION).get();
        if (mine != null) {
            mine[0]--;
        }
        global.decrementAndGet();
    }
}
