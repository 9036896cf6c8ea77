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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.AdminConfig;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.config.RelayChecks;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.config.YamlConfigLoader;

/**
 * The egress relay's configuration file ({@code egress.yaml}).
 *
 * @param listen QUIC listen address ({@code ip:port})
 * @param tls server certificate and key
 * @param admin admin HTTP listener
 * @param ingressPrefixes QUIC is answered only from these prefixes; everything else is dropped
 *     without a reply
 * @param sourceAddresses addresses the egress dials targets from (none: the OS chooses)
 * @param destinations destination policy
 * @param dns resolver settings
 * @param limits resource limits and timeouts
 * @param proxyName our name in {@code proxy-status}
 * @param drainTimeout how long SIGTERM waits for flows to end after GOAWAY
 * @param geo the city pool and trusted location keys (docs/architecture.md §4); when present, sources come
 *     from the pool and {@code source-addresses} must be absent
 */
public record EgressConfig(
        String listen,
        @Nullable TlsConfig tls,
        @Nullable AdminConfig admin,
        List<String> ingressPrefixes,
        @Nullable List<String> sourceAddresses,
        @Nullable DestinationsConfig destinations,
        @Nullable DnsConfig dns,
        @Nullable EgressLimitsConfig limits,
        @Nullable String proxyName,
        @Nullable Duration drainTimeout,
        @Nullable GeoRoutingConfig geo)
        implements YamlConfigLoader.Validated {

    public static EgressConfig load(Path file) throws ConfigException {
        return YamlConfigLoader.load(file, EgressConfig.class, EgressConfig::resolvePaths);
    }

    EgressConfig resolvePaths(Path base) {
        return new EgressConfig(
                listen,
                tls == null ? null : tls.resolve(base),
                admin,
                ingressPrefixes,
                sourceAddresses,
                destinations,
                dns,
                limits,
                proxyName,
                drainTimeout,
                geo == null ? null : geo.resolve(base));
    }

    @Override
    public void validate(ConfigErrors errors) {
        RelayChecks.common(errors, listen, tls, admin, proxyName, drainTimeout);
        if (ingressPrefixes == null || ingressPrefixes.isEmpty()) {
            errors.add("ingress-prefixes", ingressPrefixes, "at least one prefix such as 192.0.2.0/24");
        }
        errors.parseEach("ingress-prefixes", ingressPrefixes, IpPrefix::parse, "a CIDR prefix");
        errors.parseEach("source-addresses", sourceAddresses, Addresses::address, "an IP literal");
        if (destinations != null) {
            destinations.validate("destinations", errors);
        }
        if (dns != null) {
            dns.validate("dns", errors);
        }
        if (limits != null) {
            limits.validate("limits", errors);
        }
        if (geo != null) {
            geo.validate("geo", errors);
            errors.check(
                    sourceAddresses == null,
                    "source-addresses",
                    sourceAddresses,
                    "absent when geo is set: the pool decides the source addresses");
        }
    }

    public InetSocketAddress listenAddress() {
        return Addresses.socketAddress(listen);
    }

    public List<IpPrefix> ingressPrefixList() {
        return ingressPrefixes.stream().map(IpPrefix::parse).toList();
    }

    public List<InetAddress> sourceAddressList() {
        List<InetAddress> out = new ArrayList<>();
        if (sourceAddresses != null) {
            for (String s : sourceAddresses) {
                out.add(Addresses.address(s));
            }
        }
        return out;
    }

    public DestinationsConfig destinationsOrDefault() {
        return destinations == null ? new DestinationsConfig(List.of()) : destinations;
    }

    public DnsConfig dnsOrDefault() {
        return dns == null ? DnsConfig.DEFAULTS : dns.withDefaults();
    }

    public EgressLimitsConfig limitsOrDefault() {
        return limits == null ? EgressLimitsConfig.DEFAULTS : limits.withDefaults();
    }

    public String proxyNameOrDefault() {
        return proxyName == null ? "egress" : proxyName;
    }

    public Duration drainTimeoutOrDefault() {
        return drainTimeout == null ? Duration.ofSeconds(10) : drainTimeout;
    }
}
