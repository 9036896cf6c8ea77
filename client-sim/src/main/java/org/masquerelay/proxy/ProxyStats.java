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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.masquerelay.protocol.geo.SecChGeohash;

/**
 * What the proxy reports: flows, bytes each way, reconnects of the relay path, the bytes it holds
 * for slow local readers, and the asserted location. Thread-safe; updated from every event loop.
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
    private final Supplier<Optional<SecChGeohash>> location;

    /**
     * @param activeFlows open streams (TCP flows and UDP destinations)
     * @param connections relay connections in use (one per {@code MasqueClient})
     * @param reconnects relay sessions replaced after a hop dropped
     * @param location the location the clients present to the egress, from the ingress's signed
     *     assertion (docs/architecture.md §4); empty before a session is up or without geo
     */
    public ProxyStats(
            IntSupplier activeFlows,
            IntSupplier connections,
            LongSupplier reconnects,
            Supplier<Optional<SecChGeohash>> location) {
        this.activeFlows = activeFlows;
        this.connections = connections;
        this.reconnects = reconnects;
        this.location = location;
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
     * The location the egress routes by, as the ingress asserted it and the clients present it,
     * for example {@code u4pru-GB}: the egress dials from the pool of the city nearest that cell.
     * Empty until a session reports one. Never guessed.
     */
    public Optional<String> location() {
        return location.get().map(l -> l.geohash() + "-" + l.country());
    }

    /** The {@code --stats} line. */
    public String statusLine() {
        return String.format(
                Locale.ROOT,
                "proxy: %d active flow(s), up %s, down %s, %d relay connection(s), %d reconnect(s), location %s",
                activeFlows(),
                size(bytesUp()),
                size(bytesDown()),
                connections.getAsInt(),
                reconnects(),
                location().orElse("unknown"));
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
