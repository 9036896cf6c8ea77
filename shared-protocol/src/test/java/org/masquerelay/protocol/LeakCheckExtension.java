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
package org.masquerelay.protocol;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if any {@code ByteBuf} leaked while it ran. Registered for every test class
 * through {@code META-INF/services} and {@code junit-platform.properties} in this test-jar.
 *
 * <p>Netty reports a leak only when a tracked buffer has been garbage-collected <em>and</em> a
 * later allocation polls the detector's reference queue. So after all tests of a class this
 * extension runs the collector, allocates and releases a few pooled and unpooled buffers of
 * several sizes, and then reads {@link LeakFailingDetector#leaks()}. It runs once per class, not
 * per test, because each round costs a full GC.
 *
 * <p>Without {@code -Dio.netty.customResourceLeakDetector=...LeakFailingDetector} (for example
 * when a test is run from an IDE without the POM's argLine) nothing is recorded and the check
 * passes.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    private static final int ROUNDS = 2;
    private static final int[] SIZES = {16, 1024, 16 * 1024, 64 * 1024};

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks();
    }

    /**
     * Collects garbage, polls the leak detector, and throws if it reported leaks. The recorded leaks
     * are cleared first, so one leak fails one test class.
     *
     * @throws AssertionError listing the leak records
     */
    public static void assertNoLeaks() {
        List<String> leaks = detectLeaks();
        if (!leaks.isEmpty()) {
            LeakFailingDetector.reset();
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) detected:\n" + String.join("\n\n", leaks));
        }
    }

    /** Collects garbage and polls the detector; returns what it has recorded so far. */
    public static List<String> detectLeaks() {
        for (int round = 0; round < ROUNDS && LeakFailingDetector.leaks().isEmpty(); round++) {
            System.gc();
            try {
                // Give the reference handler thread time to enqueue cleared references.
                Thread.sleep(5L + 15L * round);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pollDetector();
        }
        return LeakFailingDetector.leaks();
    }

    /** Every tracked allocation drains the detector's reference queue and reports what it finds. */
    private static void pollDetector() {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        if (level == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        // Below paranoid only a sample of allocations is tracked; track all of these.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            for (ByteBufAllocator alloc : List.of(
                    ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT)) {
                for (int size : SIZES) {
                    alloc.directBuffer(size).release();
                    alloc.heapBuffer(size).release();
                }
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }
}
