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

/**
 * An account is at one of its {@link AccountLimiter} limits; the issuer answers 429 with {@code
 * Retry-After} (<a href="https://www.rfc-editor.org/rfc/rfc6585#section-4">RFC 6585 §4</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3">RFC 9110 §10.2.3</a>).
 */
public final class LimitExceededException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String limit;
    private final Duration retryAfter;

    LimitExceededException(String limit, Duration retryAfter) {
        super(limit + " reached; retry after " + retryAfter.toSeconds() + " s");
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    /** Returns the config key of the limit that was reached: tokens-per-hour or max-batch. */
    public String limit() {
        return limit;
    }

    /** Returns how long until a request can be granted, at least one second. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
