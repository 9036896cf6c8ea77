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

import org.jspecify.annotations.Nullable;

/**
 * A relay refused a request: the HTTP status and the {@code proxy-status} field it sent, if any
 * (RFC 9209), so callers and the CLI can tell which hop said what.
 */
public final class ProxyResponseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String hop;
    private final int status;
    private final @Nullable String proxyStatus;
    private final @Nullable String proxyAuthenticate;

    public ProxyResponseException(String hop, int status, @Nullable String proxyStatus) {
        this(hop, status, proxyStatus, null);
    }

    /** @param proxyAuthenticate the challenge of a 407 (RFC 9110 §11.7.1), or null */
    public ProxyResponseException(
            String hop, int status, @Nullable String proxyStatus, @Nullable String proxyAuthenticate) {
        super(hop + " answered " + status + (proxyStatus == null ? "" : " (proxy-status: " + proxyStatus + ")"));
        this.hop = hop;
        this.status = status;
        this.proxyStatus = proxyStatus;
        this.proxyAuthenticate = proxyAuthenticate;
    }

    /** The {@code proxy-authenticate} field of a 407, or null. */
    public @Nullable String proxyAuthenticate() {
        return proxyAuthenticate;
    }

    public String hop() {
        return hop;
    }

    public int status() {
        return status;
    }

    public @Nullable String proxyStatus() {
        return proxyStatus;
    }
}
