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
package org.masquerelay.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;

/**
 * What the local proxy listens on and how it uses the relay path.
 *
 * @param socksListen the SOCKS5 listener (RFC 1928), or null for none
 * @param httpListen the HTTP proxy listener (RFC 9110 §9.3.6, RFC 9112 §3.2.2), or null for none
 * @param socksCredentials users for RFC 1929 username/password authentication, or null to offer
 *     only "no authentication required"
 * @param maxStreamsPerConnection flows one {@code MasqueClient} carries before the pool opens
 *     another (each client is one outer and one inner QUIC connection)
 * @param openTimeout how long a flow waits for the egress's answer before it fails (SOCKS reply
 *     0x06, HTTP 504)
 */
public record ProxyConfig(
        @Nullable InetSocketAddress socksListen,
        @Nullable InetSocketAddress httpListen,
        @Nullable SocksCredentials socksCredentials,
        int maxStreamsPerConnection,
        Duration openTimeout) {
    public static final int DEFAULT_MAX_STREAMS_PER_CONNECTION = 100;
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(30);

    /** Validates everything at once, in the message shape of the relays' configs. */
    public static ProxyConfig of(
            @Nullable InetSocketAddress socksListen,
            @Nullable InetSocketAddress httpListen,
            @Nullable SocksCredentials socksCredentials,
            int maxStreamsPerConnection,
            Duration openTimeout)
            throws ConfigException {
        ConfigErrors errors = new ConfigErrors();
        errors.check(socksListen != null || httpListen != null, "listeners", "none", "--socks, --http or both");
        errors.check(maxStreamsPerConnection >= 1, "max-streams-per-connection", maxStreamsPerConnection, ">= 1");
        errors.check(
                openTimeout != null && !openTimeout.isNegative() && !openTimeout.isZero(),
                "connect-timeout",
                openTimeout,
                "a positive duration");
        errors.check(
                socksCredentials == null || socksListen != null, "socks-auth", "set", "only together with --socks");
        errors.throwIfAny("proxy options");
        return new ProxyConfig(socksListen, httpListen, socksCredentials, maxStreamsPerConnection, openTimeout);
    }
}
