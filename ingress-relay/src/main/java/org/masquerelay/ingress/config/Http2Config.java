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
package org.masquerelay.ingress.config;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.ConfigErrors;

/**
 * The ingress's {@code http2:} section: the HTTP/2 fallback listener for networks that block UDP
 * (docs/architecture.md §3.6). It serves connect-udp over TLS on TCP, with the same
 * policy as the QUIC listener.
 *
 * <pre>
 * http2:
 *   enabled: true          # default true
 *   listen: 0.0.0.0:443    # TCP; default: the QUIC listen address and port
 * </pre>
 */
public record Http2Config(
        @Nullable Boolean enabled, @Nullable String listen) {
    /** Everything at its default: on, on the QUIC listener's address and port. */
    public static final Http2Config DEFAULTS = new Http2Config(null, null);

    public boolean enabledOrDefault() {
        return enabled == null || enabled;
    }

    /** The TCP address, or empty for the QUIC listener's bound address and port. */
    public Optional<InetSocketAddress> listenAddress() {
        return listen == null ? Optional.empty() : Optional.of(Addresses.socketAddress(listen));
    }

    void validate(String path, ConfigErrors errors) {
        if (listen != null) {
            errors.parse(path + ".listen", listen, Addresses::socketAddress, "host:port with a numeric host");
        }
    }
}
