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

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TokenFetcher} could not obtain a token. {@link #reason()} says why in a way a caller
 * can act on; the message says it in a way an operator can, and never contains the API key or
 * token material.
 */
public final class TokenFetchException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why no token could be had; declared from the most to the least actionable. */
    public enum Reason {
        /** 401: the issuer does not know the API key (RFC 6750 §3.1); fix the key file. */
        UNAUTHORIZED,
        /** 429: the account is at its limit; {@link #retryAfter()} says for how long. */
        RATE_LIMITED,
        /** Another 4xx, such as 422 for a TokenRequest the issuer cannot use (RFC 9578 §6.2). */
        REJECTED,
        /** A 5xx or an unexpected status. */
        ISSUER_ERROR,
        /** The issuer's directory or TokenResponse does not decode, or does not finalize (§6.3). */
        INVALID_RESPONSE,
        /** The issuer could not be reached, or did not answer in time. */
        UNREACHABLE,
        /** The challenge is not one this fetcher can answer: another issuer, type or key form. */
        UNSUPPORTED_CHALLENGE,
        /** The fetcher was closed. */
        CLOSED,
        /** A fault in the fetcher itself; the cause has the details. */
        INTERNAL
    }

    private final Reason reason;
    private final int status;
    private final @Nullable Duration retryAfter;

    TokenFetchException(
            Reason reason, int status, @Nullable Duration retryAfter, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    TokenFetchException(Reason reason, String message) {
        this(reason, 0, null, message, null);
    }

    /** Returns why no token could be had. */
    public Reason reason() {
        return reason;
    }

    /** Returns the issuer's HTTP status, or 0 if there was no response. */
    public int status() {
        return status;
    }

    /** Returns how long to wait before asking again, for {@link Reason#RATE_LIMITED}. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
