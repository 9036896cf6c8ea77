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
package org.masquerelay.server;

import java.util.Map;

/**
 * The status of each RFC 9209 §2.3 error type as the docs/architecture.md §3 table gives it, written
 * out here rather than read from {@code ProxyErrorType} so that the tests check the code against the
 * document.
 */
final class ArchitectureStatusTable {
    static final Map<String, Integer> STATUS = Map.ofEntries(
            Map.entry("dns_error", 502),
            Map.entry("destination_not_found", 502),
            Map.entry("destination_ip_unroutable", 502),
            Map.entry("connection_refused", 502),
            Map.entry("connection_terminated", 502),
            Map.entry("proxy_loop_detected", 502),
            Map.entry("dns_timeout", 504),
            Map.entry("connection_timeout", 504),
            Map.entry("connection_read_timeout", 504),
            Map.entry("connection_write_timeout", 504),
            Map.entry("connection_limit_reached", 503),
            Map.entry("destination_unavailable", 503),
            Map.entry("destination_ip_prohibited", 403),
            Map.entry("http_request_denied", 403),
            Map.entry("http_request_error", 400),
            Map.entry("proxy_internal_error", 500),
            Map.entry("proxy_configuration_error", 500));

    /** The 407 row: a token problem, {@code http_request_denied} with {@code proxy-authenticate}. */
    static final int PROXY_AUTHENTICATION_REQUIRED = 407;

    private ArchitectureStatusTable() {}
}
