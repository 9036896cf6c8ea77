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
package org.masquerelay.egress.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.ConfigErrors;

/**
 * Resolver settings.
 *
 * <p>Every key is optional. Jackson leaves an absent one null, but only {@link #withDefaults()}
 * copies, where every component is set, are read; so the components are not {@code @Nullable}.
 *
 * @param servers recursive resolvers as {@code ip:port}; empty means the host's
 *     {@code /etc/resolv.conf}
 * @param timeout per-query timeout
 * @param maxCacheTtl cap on how long an answer is cached, whatever its TTL
 * @param negativeCacheTtl how long NXDOMAIN answers are cached
 */
public record DnsConfig(List<String> servers, Duration timeout, Duration maxCacheTtl, Duration negativeCacheTtl) {
    public static final DnsConfig DEFAULTS =
            new DnsConfig(List.of(), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30));

    public DnsConfig withDefaults() {
        return new DnsConfig(
                servers == null ? DEFAULTS.servers : servers,
                timeout == null ? DEFAULTS.timeout : timeout,
                maxCacheTtl == null ? DEFAULTS.maxCacheTtl : maxCacheTtl,
                negativeCacheTtl == null ? DEFAULTS.negativeCacheTtl : negativeCacheTtl);
    }

    public void validate(String path, ConfigErrors errors) {
        DnsConfig d = withDefaults();
        errors.parseEach(path + ".servers", d.servers, Addresses::socketAddress, "ip:port");
        errors.check(
                d.timeout.toMillis() >= 10 && d.timeout.toSeconds() <= 60,
                path + ".timeout",
                d.timeout,
                "PT0.01S-PT60S");
        errors.check(!d.maxCacheTtl.isNegative(), path + ".max-cache-ttl", d.maxCacheTtl, ">= PT0S");
        errors.check(!d.negativeCacheTtl.isNegative(), path + ".negative-cache-ttl", d.negativeCacheTtl, ">= PT0S");
    }

    public List<InetSocketAddress> serverAddresses() {
        return servers == null
                ? List.of()
                : servers.stream().map(Addresses::socketAddress).toList();
    }
}
