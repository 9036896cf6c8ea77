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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AccountLimiterTest {
    final AtomicLong now = new AtomicLong(1_000_000_000_000L);

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void grantsTokensPerHourOverASlidingHourAndSaysWhenTheOldestLeaves() throws Exception {
        AccountLimiter limiter = new AccountLimiter(3, 10, now::get);
        limiter.tryAcquire("alice").close(); // t = 0
        advance(Duration.ofMinutes(10));
        limiter.tryAcquire("alice").close(); // t = 10 min
        advance(Duration.ofMinutes(10));
        limiter.tryAcquire("alice").close(); // t = 20 min
        advance(Duration.ofMinutes(30)); // t = 50 min

        assertThatThrownBy(() -> limiter.tryAcquire("alice"))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo("tokens-per-hour");
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(10)); // the t = 0 grant leaves at 60
                });
        // Another account has its own window.
        limiter.tryAcquire("bob").close();

        advance(Duration.ofMinutes(10).minusNanos(1));
        assertThatThrownBy(() -> limiter.tryAcquire("alice"))
                .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1))); // rounded up, never 0
        advance(Duration.ofNanos(1)); // t = 60 min: the first grant has left
        limiter.tryAcquire("alice").close();
        assertThatThrownBy(() -> limiter.tryAcquire("alice")).isInstanceOf(LimitExceededException.class);
    }

    @Test
    void aFixedWindowWouldAllowTwiceTheLimitAcrossAnHourBoundaryThisDoesNot() throws Exception {
        AccountLimiter limiter = new AccountLimiter(2, 10, now::get);
        advance(Duration.ofMinutes(59));
        limiter.tryAcquire("alice").close();
        limiter.tryAcquire("alice").close();
        advance(Duration.ofMinutes(2)); // a new clock hour
        assertThatThrownBy(() -> limiter.tryAcquire("alice")).isInstanceOf(LimitExceededException.class);
    }

    @Test
    void capsRequestsInFlightPerAccountUntilTheirPermitsClose() throws Exception {
        AccountLimiter limiter = new AccountLimiter(100, 2, now::get);
        AccountLimiter.Permit first = limiter.tryAcquire("alice");
        AccountLimiter.Permit second = limiter.tryAcquire("alice");
        assertThatThrownBy(() -> limiter.tryAcquire("alice"))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo("max-batch");
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                });
        limiter.tryAcquire("bob").close();

        first.close();
        first.close(); // a second close frees nothing more
        AccountLimiter.Permit third = limiter.tryAcquire("alice");
        assertThatThrownBy(() -> limiter.tryAcquire("alice")).isInstanceOf(LimitExceededException.class);
        second.close();
        third.close();
        limiter.tryAcquire("alice").close();
    }

    @Test
    void keepsExactCountsBeyondTheInitialRingCapacity() throws Exception {
        AccountLimiter limiter = new AccountLimiter(40, 1, now::get);
        for (int i = 0; i < 40; i++) {
            limiter.tryAcquire("alice").close();
            advance(Duration.ofMinutes(1));
        }
        // t = 40 min: 40 grants, one a minute from t = 0.
        assertThatThrownBy(() -> limiter.tryAcquire("alice"))
                .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(20)));
        advance(Duration.ofMinutes(25)); // t = 65 min: the grants of minutes 0-5 have left
        for (int i = 0; i < 6; i++) {
            limiter.tryAcquire("alice").close();
        }
        assertThatThrownBy(() -> limiter.tryAcquire("alice"))
                .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(1))); // minute 6 leaves at 66
    }

    @Test
    void rejectsLimitsBelowOne() {
        assertThatThrownBy(() -> new AccountLimiter(0, 1, now::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AccountLimiter(1, 0, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
