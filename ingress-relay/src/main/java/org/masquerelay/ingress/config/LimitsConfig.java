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

import java.time.Duration;
import org.masquerelay.config.ConfigErrors;

/**
 * Resource limits. Beyond them a new tunnel gets 503 {@code connection_limit_reached}.
 *
 * <p>Every key is optional. Jackson leaves an absent one null, but only {@link #withDefaults()}
 * copies, where every component is set, are read; so the components are not {@code @Nullable}.
 *
 * @param maxTunnelsPerConnection concurrent connect-udp tunnels one client connection may hold
 * @param maxTunnels concurrent tunnels in the whole relay
 * @param tunnelIdleTimeout a tunnel with no datagram in either direction for this long is closed
 * @param maxConnections concurrent client QUIC connections
 * @param maxConnectionsPerAddress concurrent QUIC connections from one client IP address; more
 *     are closed with CONNECTION_REFUSED after the handshake (a NAT may hide many users behind
 *     one address, so keep it generous)
 * @param handshakesPerSecond new connections a second admitted before their address is
 *     validated; past it every new connection first gets a QUIC Retry (RFC 9000 §8.1.2), so a
 *     flood of Initials from spoofed addresses costs one MAC each, not a TLS handshake
 */
public record LimitsConfig(
        Integer maxTunnelsPerConnection,
        Integer maxTunnels,
        Duration tunnelIdleTimeout,
        Integer maxConnections,
        Integer maxConnectionsPerAddress,
        Integer handshakesPerSecond) {
    /** The default handshake budget (docs/architecture.md §7, "Floods"). */
    public static final int DEFAULT_HANDSHAKES_PER_SECOND = 100;

    public static final LimitsConfig DEFAULTS =
            new LimitsConfig(16, 10_000, Duration.ofMinutes(2), 10_000, 64, DEFAULT_HANDSHAKES_PER_SECOND);

    public LimitsConfig withDefaults() {
        return new LimitsConfig(
                maxTunnelsPerConnection == null ? DEFAULTS.maxTunnelsPerConnection : maxTunnelsPerConnection,
                maxTunnels == null ? DEFAULTS.maxTunnels : maxTunnels,
                tunnelIdleTimeout == null ? DEFAULTS.tunnelIdleTimeout : tunnelIdleTimeout,
                maxConnections == null ? DEFAULTS.maxConnections : maxConnections,
                maxConnectionsPerAddress == null ? DEFAULTS.maxConnectionsPerAddress : maxConnectionsPerAddress,
                handshakesPerSecond == null ? DEFAULTS.handshakesPerSecond : handshakesPerSecond);
    }

    public void validate(String path, ConfigErrors errors) {
        LimitsConfig l = withDefaults();
        errors.check(
                l.maxTunnelsPerConnection >= 1 && l.maxTunnelsPerConnection <= 100_000,
                path + ".max-tunnels-per-connection",
                l.maxTunnelsPerConnection,
                "1-100000");
        errors.check(l.maxTunnels >= 1, path + ".max-tunnels", l.maxTunnels, ">= 1");
        errors.check(l.maxConnections >= 1, path + ".max-connections", l.maxConnections, ">= 1");
        errors.check(
                l.maxConnectionsPerAddress >= 1,
                path + ".max-connections-per-address",
                l.maxConnectionsPerAddress,
                ">= 1");
        errors.check(l.handshakesPerSecond >= 1, path + ".handshakes-per-second", l.handshakesPerSecond, ">= 1");
        errors.check(
                !l.tunnelIdleTimeout.isNegative() && !l.tunnelIdleTimeout.isZero(),
                path + ".tunnel-idle-timeout",
                l.tunnelIdleTimeout,
                "a positive ISO-8601 duration such as PT2M");
    }
}
