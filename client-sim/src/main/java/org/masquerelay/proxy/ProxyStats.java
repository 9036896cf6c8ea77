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
package org.masquerelay.proxy;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What the proxy reports: flows, bytes each way, reconnects of the relay path, the bytes it holds
 * for slow local readers, and the egress city. Thread-safe; updated from every event loop.
 *
 * <p>{@link #bufferedBytes()} counts, over all flows, the bytes accepted from QUIC streams that
 * are not yet written to their local sockets (queued write tasks and Netty's outbound buffers
 * included). Backpressure keeps it bounded however slow a local reader is.
 */
public final class ProxyStats {
    private final IntSupplier activeFlows;
    private final IntSupplier connections;
    private final LongSupplier reconnects;
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong maxBuffered = new AtomicLong();
    private volatile String egressCity;

    /**
     * @param activeFlows open streams (TCP flows and UDP destinations)
     * @param connections relay connections in use (one per {@code MasqueClient})
     * @param reconnects relay sessions replaced after a hop dropped
     */
    public ProxyStats(IntSupplier activeFlows, IntSupplier connections, LongSupplier reconnects) {
        this.activeFlows = activeFlows;
        this.connections = connections;
        this.reconnects = reconnects;
    }

    void up(long n) {
        bytesUp.add(n);
    }

    void down(long n) {
        bytesDown.add(n);
    }

    void hold(long n) {
        long now = buffered.addAndGet(n);
        maxBuffered.accumulateAndGet(now, Math::max);
    }

    void unhold(long n) {
        buffered.addAndGet(-n);
    }

    /** Payload bytes from local clients toward targets. */
    public long bytesUp() {
        return bytesUp.sum();
    }

    /** Payload bytes from targets toward local clients. */
    public long bytesDown() {
        return bytesDown.sum();
    }

    public int activeFlows() {
        return activeFlows.getAsInt();
    }

    public long reconnects() {
        return reconnects.getAsLong();
    }

    /** Downstream bytes the proxy holds now (see the class comment). */
    public long bufferedBytes() {
        return buffered.get();
    }

    /** The largest {@link #bufferedBytes()} seen since start or the last reset. */
    public long maxBufferedBytes() {
        return maxBuffered.get();
    }

    public void resetMaxBufferedBytes() {
        maxBuffered.set(buffered.get());
    }

    /**
     * The city the egress dials from, once something reports it (the geo feature, docs/architecture.md §4);
     * null until then, shown as "unknown". Never guessed.
     */
    public String egressCity() {
        return egressCity;
    }

    public void egressCity(String city) {
        this.egressCity = city;
    }

    /** The {@code --stats} line. */
    public String statusLine() {
        String city = egressCity;
        return String.format(
                Locale.ROOT,
                "proxy: %d active flow(s), up %s, down %s, %d relay connection(s), %d reconnect(s), egress city %s",
                activeFlows(),
                size(bytesUp()),
                size(bytesDown()),
                connections.getAsInt(),
                reconnects(),
                city == null ? "unknown" : city);
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1L << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
