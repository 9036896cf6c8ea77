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
package org.masquerelay.protocol.status;

import org.jspecify.annotations.Nullable;

/**
 * The one error type of the relays (in the manner of Pingora's error): an RFC 9209 error type,
 * the side that caused it and an optional detail. {@link org.masquerelay.server.ErrorResponder}
 * turns it into a status and a {@code proxy-status} field.
 *
 * <p>{@code details} goes on the wire: it must never contain anything the peer must not learn
 * (at the ingress: no target; at the egress: no client address) nor echo more than the peer sent.
 */
public final class RelayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Who is at fault, which decides the log level: peers at DEBUG, ourselves at ERROR. */
    public enum Side {
        DOWNSTREAM,
        UPSTREAM,
        INTERNAL
    }

    /** RFC 9110 §15.5.8. */
    public static final int PROXY_AUTHENTICATION_REQUIRED = 407;

    private final transient ProxyErrorType type;
    private final Side side;
    private final @Nullable String details;
    private final int status;
    private final @Nullable String proxyAuthenticate;

    public RelayException(ProxyErrorType type, Side side, @Nullable String details) {
        this(type, side, details, null);
    }

    public RelayException(ProxyErrorType type, Side side, @Nullable String details, @Nullable Throwable cause) {
        this(type, side, details, cause, type.status(), null);
    }

    private RelayException(
            ProxyErrorType type,
            Side side,
            @Nullable String details,
            @Nullable Throwable cause,
            int status,
            @Nullable String proxyAuthenticate) {
        super(type.token() + (details == null ? "" : ": " + details), cause, false, false);
        this.type = type;
        this.side = side;
        this.details = details;
        this.status = status;
        this.proxyAuthenticate = proxyAuthenticate;
    }

    /**
     * A missing, invalid or spent credential: 407 with a {@code proxy-authenticate} challenge
     * (RFC 9110 §11.7.1, RFC 9577 §2.1); the proxy-status type is {@code http_request_denied}.
     */
    public static RelayException authenticationRequired(@Nullable String details, String proxyAuthenticate) {
        return new RelayException(
                ProxyErrorType.HTTP_REQUEST_DENIED,
                Side.DOWNSTREAM,
                details,
                null,
                PROXY_AUTHENTICATION_REQUIRED,
                proxyAuthenticate);
    }

    /**
     * The relay cannot serve the request for now, through no fault of the request, for example
     * because a store it needs does not answer: 503 (RFC 9110 §15.6.4) with {@code type}, on the
     * relay's own side.
     */
    public static RelayException unavailable(ProxyErrorType type, String details, @Nullable Throwable cause) {
        return new RelayException(type, Side.INTERNAL, details, cause, 503, null);
    }

    /** The {@code proxy-authenticate} field of a 407, or null. */
    public @Nullable String proxyAuthenticate() {
        return proxyAuthenticate;
    }

    public ProxyErrorType type() {
        return type;
    }

    public Side side() {
        return side;
    }

    public @Nullable String details() {
        return details;
    }

    public int status() {
        return status;
    }
}
