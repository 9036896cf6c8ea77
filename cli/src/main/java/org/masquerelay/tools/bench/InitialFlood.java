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
package org.masquerelay.tools.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Sends forged QUIC Initials ({@link QuicInitials}) at a fixed rate from many loopback addresses
 * of 127.77.0.0/16, each packet from the next address in turn, as an attacker with spoofed source
 * addresses would. On Linux the whole of 127.0.0.0/8 is local, so every sender is a real socket
 * and receives what the target answers (a Retry, or a server's first flight), which it ignores.
 * The packets are forged up front, so the sender's thread spends its time sending; after the
 * pool they repeat, which the target sees as retransmissions.
 */
public final class InitialFlood implements AutoCloseable {
    private final List<DatagramChannel> senders = new ArrayList<>();
    private final ByteBuffer[] packets;
    private final InetSocketAddress target;
    private final int rate;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    private @Nullable Thread thread;
    private long startedNanos;
    private long stoppedNanos;

    /**
     * @param addresses how many source addresses (at most 65,534)
     * @param pool how many distinct packets to forge (distinct connection ids)
     */
    public InitialFlood(InetSocketAddress target, int rate, int addresses, int pool, long seed)
            throws IOException, GeneralSecurityException {
        if (rate < 1 || addresses < 1 || addresses > 65_534 || pool < 1) {
            throw new IllegalArgumentException("rate " + rate + ", addresses " + addresses + ", pool " + pool
                    + " (expected: >= 1, 1-65534, >= 1)");
        }
        this.target = target;
        this.rate = rate;
        QuicInitials initials;
        try {
            initials = QuicInitials.capture();
        } catch (IOException | GeneralSecurityException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot capture a QUIC Initial to forge from: " + e.getMessage(), e);
        }
        SplittableRandom random = new SplittableRandom(seed);
        packets = new ByteBuffer[pool];
        for (int i = 0; i < pool; i++) {
            packets[i] = ByteBuffer.wrap(initials.forge(random));
        }
        try {
            for (int i = 1; i <= addresses; i++) {
                DatagramChannel c = DatagramChannel.open();
                senders.add(c);
                c.bind(new InetSocketAddress(
                        InetAddress.getByAddress(new byte[] {127, 77, (byte) (i >> 8), (byte) i}), 0));
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** Starts sending on a thread of its own. */
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("already flooding");
        }
        sent.set(0);
        failure.set(null);
        Thread t = new Thread(this::send, "initial-flood");
        t.setDaemon(true);
        thread = t;
        startedNanos = System.nanoTime();
        t.start();
    }

    /** Stops sending and waits for the sender; fails if the sender failed. */
    public synchronized void stop() throws InterruptedException {
        running.set(false);
        Thread t = thread;
        if (t != null) {
            t.join(10_000);
        }
        stoppedNanos = System.nanoTime();
        Throwable f = failure.get();
        if (f != null) {
            throw new IllegalStateException("the flood's sender failed: " + f, f);
        }
    }

    /** Packets sent by the last (or current) run. */
    public long sent() {
        return sent.get();
    }

    /** The last run's achieved rate, in packets per second. */
    public double achievedRate() {
        long end = running.get() ? System.nanoTime() : stoppedNanos;
        return sent.get() / Math.max(1e-9, (end - startedNanos) / 1e9);
    }

    private void send() {
        try {
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MINUTES.toNanos(30); // bounded, whatever the caller does
            while (running.get() && System.nanoTime() < deadline) {
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                for (long i = sent.get(); i < due; i = sent.incrementAndGet()) {
                    ByteBuffer b = packets[(int) (i % packets.length)];
                    b.rewind();
                    senders.get((int) (i % senders.size())).send(b, target);
                }
                Thread.sleep(1);
            }
        } catch (IOException | RuntimeException e) {
            failure.set(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        for (DatagramChannel c : senders) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a UDP socket does not fail in a way that matters here
            }
        }
        senders.clear();
    }
}
