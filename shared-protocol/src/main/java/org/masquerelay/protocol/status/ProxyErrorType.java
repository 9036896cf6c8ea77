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

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The proxy error types of <a href="https://www.rfc-editor.org/rfc/rfc9209#section-2.3">RFC 9209
 * §2.3</a> that these relays produce, each with its wire token and the HTTP status the relays
 * answer with (docs/architecture.md §3). RFC 9209 does not bind statuses; where this enum differs from the
 * docs/architecture.md §3 table, the constant says why. Tokens not listed here are still parsed, see {@link
 * ProxyStatus#errorToken()}.
 */
public enum ProxyErrorType {
    /** DNS resolution of the target failed. */
    DNS_ERROR("dns_error", 502),
    /** DNS resolution of the target timed out. */
    DNS_TIMEOUT("dns_timeout", 504),
    /** The target could not be determined. */
    DESTINATION_NOT_FOUND("destination_not_found", 502),
    /** The target is considered unavailable. */
    DESTINATION_UNAVAILABLE("destination_unavailable", 503),
    /**
     * The target address is prohibited by policy, for example a private address. Answered with 403,
     * not the 502 of docs/architecture.md §3's table: the egress refused the request by policy, which RFC 9110
     * §15.5.4 describes as 403, rather than failing to reach the next hop; RFC 9209 does not bind
     * the status.
     */
    DESTINATION_IP_PROHIBITED("destination_ip_prohibited", 403),
    /** No route to the target address. */
    DESTINATION_IP_UNROUTABLE("destination_ip_unroutable", 502),
    /** The target refused the connection. */
    CONNECTION_REFUSED("connection_refused", 502),
    /** The target closed the connection unexpectedly. */
    CONNECTION_TERMINATED("connection_terminated", 502),
    /** Connecting to the target timed out. */
    CONNECTION_TIMEOUT("connection_timeout", 504),
    /** Reading from the target timed out. */
    CONNECTION_READ_TIMEOUT("connection_read_timeout", 504),
    /** Writing to the target timed out. */
    CONNECTION_WRITE_TIMEOUT("connection_write_timeout", 504),
    /** A configured connection or flow limit was reached. */
    CONNECTION_LIMIT_REACHED("connection_limit_reached", 503),
    /** The request was malformed. */
    HTTP_REQUEST_ERROR("http_request_error", 400),
    /** The request was refused by policy, for example an invalid geohash (docs/architecture.md §4). */
    HTTP_REQUEST_DENIED("http_request_denied", 403),
    /** A bug or unexpected failure in the relay. */
    PROXY_INTERNAL_ERROR("proxy_internal_error", 500),
    /** The relay is misconfigured. */
    PROXY_CONFIGURATION_ERROR("proxy_configuration_error", 500),
    /** The request would loop through this relay again. */
    PROXY_LOOP_DETECTED("proxy_loop_detected", 502);

    private static final Map<String, ProxyErrorType> BY_TOKEN =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.token, Function.identity()));

    private final String token;
    private final int status;

    ProxyErrorType(String token, int status) {
        this.token = token;
        this.status = status;
    }

    /** Returns the RFC 9209 §2.3 token, for example {@code dns_error}. */
    public String token() {
        return token;
    }

    /** Returns the HTTP status the relays answer with for this error. */
    public int status() {
        return status;
    }

    /** Returns the constant for a wire token, or empty for tokens this enum does not list. */
    public static Optional<ProxyErrorType> fromToken(@Nullable String token) {
        return Optional.ofNullable(token == null ? null : BY_TOKEN.get(token));
    }
}
