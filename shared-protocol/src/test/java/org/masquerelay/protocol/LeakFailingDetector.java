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

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ResourceLeakDetector} that remembers every leak it reports, so {@link
 * LeakCheckExtension} can fail the build on a leak instead of leaving a log line nobody reads.
 *
 * <p>Netty instantiates it when tests run with {@code
 * -Dio.netty.customResourceLeakDetector=org.masquerelay.protocol.LeakFailingDetector} (the parent
 * POM sets this together with {@code -Dio.netty.leakDetection.level=paranoid}). Netty 4.2's {@code
 * ResourceLeakDetectorFactory} looks up both the {@code (Class, int)} and the obsolete {@code
 * (Class, int, long)} constructor and logs an error if either is missing, so both exist.
 *
 * @param <T> the tracked resource type
 */
public class LeakFailingDetector<T> extends ResourceLeakDetector<T> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    /**
     * Called by Netty's {@code ResourceLeakDetectorFactory}.
     *
     * @param resourceType the tracked type, e.g. {@code ByteBuf}
     * @param samplingInterval sampling interval below the paranoid level
     */
    public LeakFailingDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    /**
     * Called by Netty's {@code ResourceLeakDetectorFactory} on its deprecated path.
     *
     * @param resourceType the tracked type
     * @param samplingInterval sampling interval below the paranoid level
     * @param maxActive ignored, as Netty ignores it
     */
    public LeakFailingDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Returns the leaks reported since the last {@link #reset()}, oldest first. */
    public static List<String> leaks() {
        return List.copyOf(LEAKS);
    }

    /** Forgets all recorded leaks. */
    public static void reset() {
        LEAKS.clear();
    }

    /** Reports even when the logger is quiet, because reporting is how a leak fails the build. */
    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: "
                + resourceType
                + ".release() was not called before it was garbage-collected (no access records;"
                + " run with -Dio.netty.leakDetection.level=paranoid to see where it was allocated)");
        super.reportUntracedLeak(resourceType);
    }
}
