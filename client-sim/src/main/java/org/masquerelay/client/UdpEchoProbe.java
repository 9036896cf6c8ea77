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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;

/**
 * Sends numbered datagrams through both hops to a UDP echo server and measures delivery and
 * round-trip time. Each payload starts with an 8-byte sequence number; RTT is measured per
 * sequence number, so duplicates and reordering cannot skew it.
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
     * @param intervalNanos pause between datagrams: an unpaced burst overflows the datagram queues
     *     (docs/netty.md trap 5), and a real application paces too
     */
    public static Result run(
            MasqueClient client, String host, int port, int count, int size, long intervalNanos, long drainMillis)
            throws Exception {
        if (size < 8) {
            throw new IllegalArgumentException("size must be at least 8");
        }
        ConcurrentHashMap<Long, Long> sentAt = new ConcurrentHashMap<>();
        long[] rtts = new long[count];
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        DatagramTunnelHandler flow = client.openUdp(host, port, new DatagramTunnelHandler.Local() {
                    @Override
                    public void fromPeer(ByteBuf payload) {
                        try {
                            if (payload.readableBytes() >= 8) {
                                Long t0 = sentAt.remove(payload.getLong(payload.readerIndex()));
                                if (t0 != null) {
                                    int i = (int) received.getAndIncrement();
                                    if (i < rtts.length) {
                                        rtts[i] = System.nanoTime() - t0;
                                    }
                                }
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
        try {
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long seq = i;
                flow.stream().eventLoop().execute(() -> {
                    ByteBuf b = flow.stream().alloc().directBuffer(size);
                    b.writeLong(seq);
                    b.writeZero(size - 8);
                    sentAt.put(seq, System.nanoTime());
                    flow.sendToPeer(b);
                    flow.flush();
                });
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
            while (received.get() < count && System.nanoTime() < deadline && !closed.isDone()) {
                Thread.sleep(5);
            }
        } finally {
            flow.stream().eventLoop().execute(flow::close);
        }
        int got = (int) Math.min(received.get(), count);
        long[] sorted = Arrays.copyOf(rtts, got);
        Arrays.sort(sorted);
        return new Result(count, got, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
