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
package org.masquerelay.egress.upstream;

import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;

/**
 * The budget of one inner connection for uploads whose TCP targets stopped reading
 * (docs/architecture.md §3.3, "Flow-control windows and stalled readers").
 *
 * <p>The egress announces MAX_DATA at its largest, so a stalled upload stops only its own stream;
 * what bounds the memory it holds is then its stream window, which the QUIC stack fills unread,
 * plus what the relay holds toward the socket. Neither Netty nor quiche tells how large the window
 * has grown, so each upload whose relay has stopped reading the stream is counted at its worst case
 * and at most {@code max} of them may be stalled at once on one connection. One more, and the one
 * stalled the longest (the likeliest to have a target that will never read again) is reset with
 * H3_EXCESSIVE_LOAD (RFC 9114 §8.1): a reset stream frees its unread data at once. An upload to a
 * slow target that keeps reading is paused and resumed in turns and counts only while paused.
 *
 * <p>Runs on the connection's event loop; the relays report from either channel's loop.
 */
public final class StalledUploads {
    private static final AttributeKey<StalledUploads> KEY = AttributeKey.valueOf("masque.stalledUploads");

    /** The relay's counts across connections, for its metrics. */
    public static final class Counts {
        final LongAdder stalled = new LongAdder();
        final LongAdder reset = new LongAdder();

        /** Uploads counted against their connection's budget now. */
        public long stalled() {
            return stalled.sum();
        }

        /** Uploads reset so far because their connection had no room for another stalled one. */
        public long reset() {
            return reset.sum();
        }
    }

    private final EventExecutor loop;
    private final Ledger<ByteStreamRelay> ledger;
    private final Counts counts;

    private StalledUploads(EventExecutor loop, int max, Counts counts) {
        this.loop = loop;
        this.ledger = new Ledger<>(max);
        this.counts = counts;
    }

    /**
     * The budget of {@code connection}, made on first use with room for {@code max} stalled
     * uploads; a reload's new limit applies to connections opened after it.
     *
     * @param counts what the relay counts across connections
     */
    static StalledUploads of(QuicChannel connection, int max, Counts counts) {
        Attribute<StalledUploads> attr = connection.attr(KEY);
        StalledUploads mine = new StalledUploads(connection.eventLoop(), max, counts);
        StalledUploads had = attr.setIfAbsent(mine);
        return had == null ? mine : had;
    }

    /** What the relay of each upload on this connection tells of its pauses. */
    ByteStreamRelay.PauseListener listener() {
        return relay -> loop.execute(() -> update(relay));
    }

    /** Forgets {@code relay} once its stream closes. */
    void watch(ByteStreamRelay relay) {
        relay.stream().closeFuture().addListener(f -> loop.execute(() -> record(relay, false)));
    }

    private void update(ByteStreamRelay relay) {
        for (ByteStreamRelay victim :
                record(relay, relay.streamReadPaused() && relay.stream().isActive())) {
            counts.reset.increment();
            victim.abort(Http3ErrorCode.H3_EXCESSIVE_LOAD);
        }
    }

    private List<ByteStreamRelay> record(ByteStreamRelay relay, boolean paused) {
        int before = ledger.size();
        List<ByteStreamRelay> victims = ledger.paused(relay, paused);
        counts.stalled.add(ledger.size() - before);
        return victims;
    }

    /**
     * The bookkeeping alone: which uploads are stalled, in the order they stalled, and which to
     * reset when one more stalls than fit. Not thread-safe.
     */
    static final class Ledger<T> {
        private final int max;
        private final LinkedHashSet<T> stalled = new LinkedHashSet<>();

        Ledger(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("room for at least one stalled upload, not " + max);
            }
            this.max = max;
        }

        /**
         * Records whether {@code upload} is stalled now; returns those to reset, longest stalled
         * first, already forgotten. An upload that stalls again goes to the back of the line.
         */
        List<T> paused(T upload, boolean paused) {
            if (!paused) {
                stalled.remove(upload);
                return List.of();
            }
            if (!stalled.add(upload) || stalled.size() <= max) {
                return List.of();
            }
            List<T> victims = new ArrayList<>();
            Iterator<T> oldest = stalled.iterator();
            while (stalled.size() > max) {
                victims.add(oldest.next());
                oldest.remove();
            }
            return victims;
        }

        int size() {
            return stalled.size();
        }
    }
}
