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
package org.masquerelay.client;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;

/**
 * Sends numbered datagrams to a UDP echo server and measures delivery and round-trip time, with
 * a window of at most N datagrams in flight: window 1 is a ping-pong, a larger window a paced
 * stream that never queues more than N behind itself. Each payload starts with an 8-byte
 * sequence number, so duplicates and reordering cannot skew the RTT. A datagram unanswered
 * within the loss timeout gives its slot to the next one and counts as lost.
 *
 * <p>{@link #run} probes through the client's hops; {@link Windowed} is the same loop over any
 * datagram path, so a benchmark can measure the direct path the same way.
 */
public final class UdpEchoProbe {
    /** Outcome of one probe run. */
    public record Result(int sent, int received, long p50Nanos, long p99Nanos) {
        public double deliveredRatio() {
            return sent == 0 ? 0 : (double) received / sent;
        }
    }

    private UdpEchoProbe() {}

    /**
     * The windowed echo loop over some datagram path: subclasses send, and call {@link #echoed}
     * with the sequence number of each echo that comes back (from any thread).
     */
    public abstract static class Windowed {
        private final ConcurrentHashMap<Long, Long> sentAt = new ConcurrentHashMap<>();
        private final Semaphore slots;
        private final long[] rtts;
        private final AtomicInteger received = new AtomicInteger();
        private final int count;
        private final long lossTimeoutNanos;

        protected Windowed(int count, int window, long lossTimeoutMillis) {
            if (count < 1 || window < 1) {
                throw new IllegalArgumentException("count and window must be at least 1");
            }
            this.count = count;
            this.rtts = new long[count];
            this.slots = new Semaphore(window);
            this.lossTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(lossTimeoutMillis);
        }

        /** Sends one datagram that starts with {@code seq}. */
        protected abstract void send(long seq) throws Exception;

        /** Whether the path has closed under us; the loop then stops early. */
        protected boolean closed() {
            return false;
        }

        /** Records the echo of {@code seq}; unknown, late or repeated echoes are ignored. */
        public final void echoed(long seq) {
            Long t0 = sentAt.remove(seq);
            if (t0 != null) {
                int i = received.getAndIncrement();
                if (i < rtts.length) {
                    rtts[i] = System.nanoTime() - t0;
                }
                slots.release();
            }
        }

        /** Runs the loop on the calling thread. */
        public final Result run() throws Exception {
            for (long seq = 0; seq < count && !closed(); seq++) {
                if (!slots.tryAcquire(lossTimeoutNanos, TimeUnit.NANOSECONDS)) {
                    expireOldest(); // the oldest in flight is lost: its slot goes to the next
                }
                sentAt.put(seq, System.nanoTime());
                send(seq);
            }
            long deadline = System.nanoTime() + lossTimeoutNanos;
            while (!sentAt.isEmpty() && System.nanoTime() < deadline && !closed()) {
                Thread.sleep(1);
            }
            int got = Math.min(received.get(), count);
            long[] sorted = Arrays.copyOf(rtts, got);
            Arrays.sort(sorted);
            return new Result(count, got, percentile(sorted, 0.50), percentile(sorted, 0.99));
        }

        private void expireOldest() {
            sentAt.keySet().stream().min(Long::compare).ifPresent(sentAt::remove);
        }
    }

    /**
     * Probes {@code host:port} through the client's hops over a connect-udp flow.
     *
     * @param window datagrams in flight at most: an unpaced burst overflows the datagram queues
     *     (docs/netty.md trap 5), and a real application paces too
     */
    public static Result run(
            MasqueClient client, String host, int port, int count, int size, int window, long lossTimeoutMillis)
            throws Exception {
        if (size < 8) {
            throw new IllegalArgumentException("size must be at least 8");
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Windowed[] loop = new Windowed[1];
        DatagramTunnelHandler flow = client.openUdp(host, port, new DatagramTunnelHandler.Local() {
                    @Override
                    public void fromPeer(ByteBuf payload) {
                        try {
                            if (payload.readableBytes() >= 8 && loop[0] != null) {
                                loop[0].echoed(payload.getLong(payload.readerIndex()));
                            }
                        } finally {
                            payload.release();
                        }
                    }

                    @Override
                    public void closed() {
                        closed.complete(null);
                    }
                })
                .get(15, TimeUnit.SECONDS);
        loop[0] = new Windowed(count, window, lossTimeoutMillis) {
            @Override
            protected void send(long seq) {
                flow.stream().eventLoop().execute(() -> {
                    ByteBuf b = flow.stream().alloc().directBuffer(size);
                    b.writeLong(seq);
                    b.writeZero(size - 8);
                    flow.sendToPeer(b);
                    flow.flush();
                });
            }

            @Override
            protected boolean closed() {
                return closed.isDone();
            }
        };
        try {
            return loop[0].run();
        } finally {
            flow.stream().eventLoop().execute(flow::close);
        }
    }

    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
