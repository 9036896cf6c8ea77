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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the leak check can fail: each test leaks on purpose, runs the same check the extension
 * runs after every class, and then clears the record so the suite itself stays green.
 */
class LeakCheckExtensionTest {

    @AfterEach
    void forgetDeliberateLeaks() {
        LeakCheckExtension.detectLeaks();
        LeakFailingDetector.reset();
    }

    @Test
    void detectorRecordsLeakOfUnclosedTracker() throws InterruptedException {
        LeakFailingDetector<Object> detector = new LeakFailingDetector<>(Object.class, 1);
        trackAndDrop(detector);

        for (int round = 0; round < 20 && LeakFailingDetector.leaks().isEmpty(); round++) {
            System.gc();
            Thread.sleep(10);
            // Tracking polls the reference queue and reports what the collector found.
            Object probe = new Object();
            detector.trackForcibly(probe).close(probe);
        }

        assertThat(LeakFailingDetector.leaks())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("LEAK: Object.release() was not called");
    }

    @Test
    void checkFailsOnLeakedByteBuf() {
        assumeTrue(
                LeakFailingDetector.class.getName().equals(System.getProperty("io.netty.customResourceLeakDetector")),
                "runs only with the POM's -Dio.netty.customResourceLeakDetector");
        assumeTrue(ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.DISABLED);
        leakOneBuffer();

        assertThatThrownBy(LeakCheckExtension::assertNoLeaks)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ByteBuf leak(s) detected")
                .hasMessageContaining("LEAK: ByteBuf.release() was not called")
                .hasMessageContaining("leakOneBuffer");
        assertThat(LeakFailingDetector.leaks())
                .as("assertNoLeaks clears what it reported")
                .isEmpty();
    }

    @Test
    void checkPassesWhenEverythingIsReleased() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1);
        buf.release();

        LeakCheckExtension.assertNoLeaks();

        assertThat(buf.refCnt()).isZero();
    }

    private static void trackAndDrop(LeakFailingDetector<Object> detector) {
        ResourceLeakTracker<Object> tracker = detector.trackForcibly(new Object());
        assertThat(tracker).isNotNull();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(128);
        leaked.writeInt(42);
    }
}
