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
package org.masquerelay.issuer.policy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The issuer's per-account limits, kept in memory (no external store; a restart forgets them):
 *
 * <ul>
 *   <li><b>tokens-per-hour</b> over a <em>sliding</em> hour: a request is granted when the
 *       account was granted fewer than that many in the 60 minutes before it. Unlike a fixed
 *       clock-hour window this never allows twice the limit around an hour boundary, and the
 *       {@code Retry-After} it reports is exact: the moment the oldest grant leaves the window.
 *       The window keeps one timestamp per grant, growing up to the limit.
 *   <li><b>max-batch</b>: how many of one account's requests may be signed at the same time.
 *       RFC 9578 §6 carries one TokenRequest per HTTP request, so a client fetches a batch as
 *       several requests in parallel; this caps how many worker threads one account can hold.
 * </ul>
 *
 * <p>A request counts against the hour once it is granted, whether or not signing then succeeds.
 * Thread-safe: each account's state is guarded by its own lock. Time comes from a monotonic
 * nanosecond clock ({@link System#nanoTime()} in production), so wall-clock steps do not move
 * the window.
 */
public final class AccountLimiter {
    /** The window of tokens-per-hour. */
    public static final Duration WINDOW = Duration.ofHours(1);
    /** What a client refused for concurrency is told to wait: one signing takes milliseconds. */
    static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    private static final long WINDOW_NANOS = WINDOW.toNanos();
    private static final int INITIAL_CAPACITY = 16;

    private final int tokensPerHour;
    private final int maxInFlight;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * Creates a limiter.
     *
     * @param tokensPerHour grants per account per sliding hour, at least 1
     * @param maxInFlight requests per account granted and not yet closed, at least 1
     * @param nanoTime a monotonic clock in nanoseconds
     */
    public AccountLimiter(int tokensPerHour, int maxInFlight, LongSupplier nanoTime) {
        if (tokensPerHour < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException(
                    "tokensPerHour " + tokensPerHour + ", maxInFlight " + maxInFlight + " (expected: both at least 1)");
        }
        this.tokensPerHour = tokensPerHour;
        this.maxInFlight = maxInFlight;
        this.nanoTime = nanoTime;
    }

    /**
     * Grants one token request to {@code account}, or says how long to wait.
     *
     * @return a permit to close when the request is done, which frees its max-batch slot
     * @throws LimitExceededException if the account is at either limit
     */
    public Permit tryAcquire(String account) throws LimitExceededException {
        Window window = windows.computeIfAbsent(account, a -> new Window());
        synchronized (window) {
            long now = nanoTime.getAsLong();
            window.evict(now);
            if (window.inFlight >= maxInFlight) {
                throw new LimitExceededException("max-batch", BUSY_RETRY_AFTER);
            }
            if (window.size >= tokensPerHour) {
                long waitNanos = window.oldest() + WINDOW_NANOS - now;
                throw new LimitExceededException("tokens-per-hour", roundUpToSeconds(waitNanos));
            }
            window.add(now);
            window.inFlight++;
        }
        return new Permit(window);
    }

    private static Duration roundUpToSeconds(long nanos) {
        long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
        return Duration.ofSeconds(seconds);
    }

    /** A granted request; closing it (once) frees its max-batch slot. Not thread-safe. */
    public static final class Permit implements AutoCloseable {
        private final Window window;
        private boolean closed;

        private Permit(Window window) {
            this.window = window;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                synchronized (window) {
                    window.inFlight--;
                }
            }
        }
    }

    /** One account's grants in the last hour, oldest first, as a ring of timestamps. */
    private static final class Window {
        private long[] stamps = new long[INITIAL_CAPACITY];
        private int head;
        private int size;
        private int inFlight;

        void evict(long now) {
            while (size > 0 && now - stamps[head] >= WINDOW_NANOS) {
                head = (head + 1) % stamps.length;
                size--;
            }
        }

        long oldest() {
            return stamps[head];
        }

        void add(long now) {
            if (size == stamps.length) {
                long[] grown = new long[stamps.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = stamps[(head + i) % stamps.length];
                }
                stamps = grown;
                head = 0;
            }
            stamps[(head + size) % stamps.length] = now;
            size++;
        }
    }
}
