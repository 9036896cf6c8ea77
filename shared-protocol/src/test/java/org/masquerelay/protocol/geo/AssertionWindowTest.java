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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** not_after = ceil(now / window) * window + validity (docs/architecture.md §4). */
class AssertionWindowTest {

    @ParameterizedTest(name = "now {0} -> {1}")
    @CsvSource({
        // now (Unix s)   , not_after      , why
        "1763999401       , 1764003600", // first second of the window (1763999400, 1764000000]
        "1763999712       , 1764003600", // inside it: Rfc8032.SIGNED_AT
        "1764000000       , 1764003600", // its last second, on the boundary
        "1764000001       , 1764004200", // the next window
        "0                , 3600", // the epoch is a boundary
    })
    void defaultRoundsUpToTenMinutesAndAddsAnHour(long now, long notAfter) {
        assertThat(AssertionWindow.DEFAULT.notAfter(Instant.ofEpochSecond(now))).isEqualTo(notAfter);
    }

    @Test
    void fractionsOfASecondDoNotMoveTheWindow() {
        assertThat(AssertionWindow.DEFAULT.notAfter(Instant.ofEpochSecond(1_764_000_000L, 999_999_999)))
                .isEqualTo(1_764_003_600L);
    }

    @Test
    void customWindowAndLifetime() {
        AssertionWindow window = new AssertionWindow(Duration.ofMinutes(5), Duration.ofMinutes(30));

        assertThat(window.notAfter(Instant.ofEpochSecond(301))).isEqualTo(600 + 1800);
        assertThat(window.maxLifetimeSeconds()).isEqualTo(2100);
        assertThat(AssertionWindow.DEFAULT.maxLifetimeSeconds()).isEqualTo(4200);
    }

    @Test
    void rejectsWindowsThatAreNotWholePositiveSeconds() {
        assertThatThrownBy(() -> new AssertionWindow(Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window: PT0S (expected: a whole number of seconds, at least PT1S)");
        assertThatThrownBy(() -> new AssertionWindow(Duration.ofMillis(1500), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window: PT1.5S (expected: a whole number of seconds, at least PT1S)");
        assertThatThrownBy(() -> new AssertionWindow(Duration.ofMinutes(10), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("validity: PT-1S (expected: a whole number of seconds, at least PT1S)");
        assertThatThrownBy(() -> new AssertionWindow(null, Duration.ofHours(1)))
                .isInstanceOf(NullPointerException.class);
    }
}
