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
package org.masquerelay.protocol.geo;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How {@code not_after} is chosen (docs/architecture.md §4): {@code ceil(now / window) * window + validity}, in
 * Unix seconds. Rounding up to the window is what makes assertions carry no per-client value: every
 * client in the same cell whose assertion is signed in the same window gets the same {@code
 * not_after}, and with deterministic Ed25519 (<a
 * href="https://www.rfc-editor.org/rfc/rfc8032#section-5.1.6">RFC 8032 §5.1.6</a>) the same
 * bytes. An assertion therefore lives between {@code validity} and {@code window + validity}.
 *
 * @param window the rounding step, whole seconds, at least 1 s
 * @param validity the lifetime after the end of the window, whole seconds, at least 1 s
 */
public record AssertionWindow(Duration window, Duration validity) {

    /** docs/architecture.md §4's default: a 10-minute window and 1 hour of validity. */
    public static final AssertionWindow DEFAULT = new AssertionWindow(Duration.ofMinutes(10), Duration.ofHours(1));

    /**
     * Validates the durations.
     *
     * @throws IllegalArgumentException if either is shorter than a second or not whole seconds
     */
    public AssertionWindow {
        requireWholeSeconds("window", window);
        requireWholeSeconds("validity", validity);
    }

    private static void requireWholeSeconds(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.getSeconds() < 1 || value.getNano() != 0) {
            throw new IllegalArgumentException(
                    name + ": " + value + " (expected: a whole number of seconds, at least PT1S)");
        }
    }

    /** Returns {@code not_after} for an assertion signed at {@code now}, in Unix seconds. */
    public long notAfter(Instant now) {
        long step = window.toSeconds();
        long windowEnd = -Math.floorDiv(-now.getEpochSecond(), step) * step; // ceil(now / step) * step
        return windowEnd + validity.toSeconds();
    }

    /** Returns the furthest ahead of its signing time a {@code not_after} can be: window + validity. */
    public long maxLifetimeSeconds() {
        return window.toSeconds() + validity.toSeconds();
    }
}
