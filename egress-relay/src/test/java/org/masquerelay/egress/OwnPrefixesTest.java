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
package org.masquerelay.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.egress.policy.DestinationPolicy;
import org.masquerelay.pool.PoolRegistry;

/** What the egress tells its destination policy is its own, and so never a target. */
class OwnPrefixesTest {
    @TempDir
    Path dir;

    private EgressConfig load(String yaml) throws Exception {
        Files.writeString(dir.resolve("egress.crt"), "x");
        Files.writeString(dir.resolve("egress.key"), "x");
        Path f = dir.resolve("egress.yaml");
        Files.writeString(f, yaml);
        return EgressConfig.load(f);
    }

    @Test
    void listenAdminAndSourceAddressesAreOwn() throws Exception {
        EgressConfig config = load("""
                listen: 198.51.100.10:4434
                admin: {listen: "10.9.0.5:9434"}
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [192.0.2.0/24]
                source-addresses: [198.51.100.20, "2001:db8::20"]
                destinations: {allow: [10.0.0.0/8]}
                """);

        List<IpPrefix> own = EgressServer.ownPrefixes(config, null);

        assertThat(own)
                .containsExactly(
                        IpPrefix.parse("198.51.100.10/32"),
                        IpPrefix.parse("10.9.0.5/32"),
                        IpPrefix.parse("198.51.100.20/32"),
                        IpPrefix.parse("2001:db8::20/128"),
                        IpPrefix.parse("192.0.2.0/24"));
        // The admin listener on a management network stays unreachable through an allowlist
        // that opens that network.
        DestinationPolicy policy =
                new DestinationPolicy(config.destinationsOrDefault().allowList(), DestinationPolicy.Own.of(own));
        assertThat(policy.permits(IpPrefix.parse("10.9.0.5/32").network(), 443)).isFalse();
        assertThat(policy.permits(IpPrefix.parse("10.9.0.6/32").network(), 443)).isTrue();
    }

    @Test
    void withoutAdminTheListenAddressAndEveryPoolPrefixAreOwn() throws Exception {
        EgressConfig config = load("""
                listen: 198.51.100.10:4434
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [192.0.2.0/24]
                """);
        PoolRegistry pool = PoolRegistry.parse("pool.yaml", """
                cities:
                  - {id: london, name: London, country: GB, latitude: 51.5, longitude: -0.12,
                     prefixes: [203.0.113.0/28, "2001:db8:101::/64"]}
                  - {id: paris, name: Paris, country: FR, latitude: 48.86, longitude: 2.35,
                     prefixes: [203.0.113.16/28]}
                """);

        assertThat(EgressServer.ownPrefixes(config, pool))
                .containsExactlyInAnyOrder(
                        IpPrefix.parse("198.51.100.10/32"),
                        IpPrefix.parse("203.0.113.0/28"),
                        IpPrefix.parse("2001:db8:101::/64"),
                        IpPrefix.parse("203.0.113.16/28"),
                        IpPrefix.parse("192.0.2.0/24"));
    }

    @Test
    void loopbackAndWildcardListenersAreRefusedPerPortNotWhole() throws Exception {
        EgressConfig config = load("""
                listen: 0.0.0.0:4434
                admin: {listen: "127.0.0.2:9434"}
                tls: {certificate: egress.crt, private-key: egress.key}
                ingress-prefixes: [127.0.0.0/8, "::1/128"]
                source-addresses: [127.0.0.3]
                """);

        assertThat(EgressServer.ownPrefixes(config, null)).containsExactly(IpPrefix.parse("127.0.0.3/32"));
        assertThat(EgressServer.listeners(config))
                .containsExactly(
                        new java.net.InetSocketAddress("0.0.0.0", 4434),
                        new java.net.InetSocketAddress("127.0.0.2", 9434));
        assertThat(EgressServer.listensOnWildcard(config)).isTrue();
    }
}
