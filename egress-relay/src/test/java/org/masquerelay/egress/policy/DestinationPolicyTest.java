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
package org.masquerelay.egress.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.egress.config.AllowedDestination;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;

/**
 * The egress's destination policy: RFC 6890 special-purpose space refused, an allowlist that
 * admits it, the relay's own addresses refused, and IPv6 forms that embed an IPv4 address
 * judged by that address too.
 */
class DestinationPolicyTest {

    private static final DestinationPolicy DEFAULT = new DestinationPolicy(List.of(), List.of());

    /**
     * One row per {@link DestinationPolicy#DENIED} entry, in its order: an address inside, and
     * the nearest addresses outside when they are ordinary global space (null where the
     * neighbour is itself special-purpose, or there is none).
     */
    static Stream<Arguments> denied() {
        return Stream.of(
                row("0.0.0.0/8", "0.1.2.3", null, "1.0.0.0"),
                row("10.0.0.0/8", "10.20.30.40", "9.255.255.255", "11.0.0.0"),
                row("100.64.0.0/10", "100.100.1.1", "100.63.255.255", "100.128.0.0"),
                row("127.0.0.0/8", "127.0.0.1", "126.255.255.255", "128.0.0.0"),
                row("169.254.0.0/16", "169.254.169.254", "169.253.255.255", "169.255.0.0"),
                row("172.16.0.0/12", "172.20.0.1", "172.15.255.255", "172.32.0.0"),
                row("192.0.0.0/24", "192.0.0.9", "191.255.255.255", "192.0.1.0"),
                row("192.0.2.0/24", "192.0.2.1", "192.0.1.255", "192.0.3.0"),
                row("192.88.99.0/24", "192.88.99.1", "192.88.98.255", "192.88.100.0"),
                row("192.168.0.0/16", "192.168.1.1", "192.167.255.255", "192.169.0.0"),
                row("198.18.0.0/15", "198.19.0.1", "198.17.255.255", "198.20.0.0"),
                row("198.51.100.0/24", "198.51.100.7", "198.51.99.255", "198.51.101.0"),
                row("203.0.113.0/24", "203.0.113.9", "203.0.112.255", "203.0.114.0"),
                row("224.0.0.0/4", "239.255.255.250", "223.255.255.255", null), // 240/4 follows
                row("240.0.0.0/4", "255.255.255.255", null, null),
                row("::/128", "::", null, null), // ::1 follows
                row("::1/128", "::1", null, null), // ::2 is IPv4-compatible 0.0.0.2
                row("64:ff9b:1::/48", "64:ff9b:1::808:808", null, null), // neighbours are unassigned
                row("100::/64", "100::1", null, null), // neighbours are IETF-reserved ::/8 and 100::/8
                row(
                        "2001::/23",
                        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                        "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                        "2001:200::"),
                row("2001:db8::/32", "2001:db8::1", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"),
                row("fc00::/7", "fd12:3456::1", null, null),
                row("fe80::/10", "fe80::1", null, null), // fec0::/10 follows
                row("fec0::/10", "fec0::1", null, null), // fe80::/10 precedes, ff00::/8 follows
                row("ff00::/8", "ff02::1", null, null));
    }

    private static Arguments row(String prefix, String inside, String below, String above) {
        return Arguments.of(prefix, inside, below, above);
    }

    @Test
    void theTableCoversEveryDeniedEntry() {
        List<IpPrefix> tested =
                denied().map(a -> IpPrefix.parse((String) a.get()[0])).toList();

        assertThat(tested).containsExactlyElementsOf(DestinationPolicy.DENIED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("denied")
    void refusesEveryDeniedPrefixFromEdgeToEdge(String prefix, String inside, String below, String above) {
        IpPrefix p = IpPrefix.parse(prefix);
        InetAddress first = p.network();
        InetAddress last = p.addressAt(p.size().subtract(BigInteger.ONE));

        assertThat(p.contains(ip(inside))).isTrue();
        assertThat(DEFAULT.permits(first, 443))
                .as("first address of %s", prefix)
                .isFalse();
        assertThat(DEFAULT.permits(ip(inside), 443)).as(inside).isFalse();
        assertThat(DEFAULT.permits(last, 443)).as("last address of %s", prefix).isFalse();
        if (below != null) {
            assertThat(DEFAULT.permits(ip(below), 443))
                    .as("just below %s", prefix)
                    .isTrue();
        }
        if (above != null) {
            assertThat(DEFAULT.permits(ip(above), 443))
                    .as("just above %s", prefix)
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "2001:4860:4860::8888", "2606:4700::1111"})
    void permitsGlobalUnicast(String address) {
        assertThat(DEFAULT.permits(ip(address), 443)).isTrue();
    }

    @Test
    void allowListAdmitsDeniedSpace() {
        DestinationPolicy policy = new DestinationPolicy(
                List.of(IpPrefix.parse("127.0.0.0/8"), IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("fd00:1::/32")),
                List.of());

        assertThat(policy.permits(ip("127.0.0.1"), 443)).isTrue();
        assertThat(policy.permits(ip("127.255.255.255"), 443)).isTrue();
        assertThat(policy.permits(ip("10.1.2.3"), 443)).isTrue();
        assertThat(policy.permits(ip("fd00:1::5"), 443)).isTrue();
        // Only what the allowlist names: the rest of each DENIED entry stays refused.
        assertThat(policy.permits(ip("10.2.0.1"), 443)).isFalse();
        assertThat(policy.permits(ip("10.0.255.255"), 443)).isFalse();
        assertThat(policy.permits(ip("fd00:2::5"), 443)).isFalse();
        assertThat(policy.permits(ip("192.168.1.1"), 443)).isFalse();
        assertThat(policy.permits(ip("::1"), 443)).isFalse();
    }

    @Test
    void allowListAdmitsAnEmbeddedAddressOnlyWhenItAdmitsTheEmbeddedIpv4() {
        DestinationPolicy loopback = new DestinationPolicy(List.of(IpPrefix.parse("127.0.0.0/8")), List.of());
        DestinationPolicy nat64 = new DestinationPolicy(List.of(IpPrefix.parse("64:ff9b::/96")), List.of());

        assertThat(loopback.permits(v6("::ffff:127.0.0.1"), 443)).isTrue();
        assertThat(loopback.permits(ip("64:ff9b::7f00:1"), 443)).isTrue();
        // Allow-listing the IPv6 form opens nothing the embedded IPv4 is refused for.
        assertThat(nat64.permits(ip("64:ff9b::808:808"), 443)).isTrue();
        assertThat(nat64.permits(ip("64:ff9b::a00:1"), 443)).isFalse();
        assertThat(nat64.permits(ip("64:ff9b::7f00:1"), 443)).isFalse();
    }

    @Test
    void refusesTheRelaysOwnAddresses() {
        DestinationPolicy policy = new DestinationPolicy(
                List.of(), List.of(IpPrefix.parse("9.9.9.0/29"), IpPrefix.parse("2a01:4f8:1:2::/64")));

        assertThat(policy.permits(ip("9.9.9.0"), 443)).isFalse();
        assertThat(policy.permits(ip("9.9.9.7"), 443)).isFalse();
        assertThat(policy.permits(ip("2a01:4f8:1:2::10"), 443)).isFalse();
        assertThat(policy.permits(ip("9.9.9.8"), 443)).isTrue();
        assertThat(policy.permits(ip("2a01:4f8:1:3::10"), 443)).isTrue();
        // ...also written as an IPv6 address that embeds it.
        assertThat(policy.permits(v6("::ffff:9.9.9.1"), 443)).isFalse();
        assertThat(policy.permits(ip("64:ff9b::909:901"), 443)).isFalse();
        assertThat(policy.permits(ip("2002:909:901::1"), 443)).isFalse();
        assertThat(policy.permits(ip("::9.9.9.1"), 443)).isFalse();
    }

    @Test
    void ownAddressesAreRefusedEvenWhenAllowListed() {
        // A loopback deployment allow-lists 127.0.0.0/8; the relay's own sockets stay out of reach.
        DestinationPolicy policy = new DestinationPolicy(
                List.of(
                        IpPrefix.parse("127.0.0.0/8"),
                        IpPrefix.parse("10.0.0.0/8"),
                        IpPrefix.parse("2001:db8::/32"),
                        IpPrefix.parse("64:ff9b:1::/48")),
                List.of(
                        IpPrefix.parse("127.0.0.1/32"),
                        IpPrefix.parse("10.0.0.5/32"),
                        IpPrefix.parse("2001:db8:e::/64")));

        assertThat(policy.permits(ip("127.0.0.1"), 443)).isFalse();
        assertThat(policy.permits(ip("10.0.0.5"), 443)).isFalse();
        assertThat(policy.permits(ip("2001:db8:e::1"), 443)).isFalse();
        assertThat(policy.permits(v6("::ffff:127.0.0.1"), 443)).isFalse();
        assertThat(policy.permits(ip("64:ff9b::a00:5"), 443)).isFalse();
        assertThat(policy.permits(ip("64:ff9b:1::7f00:1"), 443)).isFalse();
        // The rest of what the allowlist admits is still admitted.
        assertThat(policy.permits(ip("127.0.0.2"), 443)).isTrue();
        assertThat(policy.permits(ip("10.0.0.6"), 443)).isTrue();
        assertThat(policy.permits(ip("2001:db8:f::1"), 443)).isTrue();
        assertThat(policy.permitted(List.of(ip("127.0.0.1"), ip("127.0.0.2")), 443, a -> true))
                .containsExactly(ip("127.0.0.2"));
        assertThatThrownBy(() -> policy.permitted(List.of(ip("127.0.0.1"), ip("10.0.0.5")), 443, a -> true))
                .isInstanceOfSatisfying(
                        RelayException.class,
                        e -> assertThat(e.type()).isEqualTo(ProxyErrorType.DESTINATION_IP_PROHIBITED));
    }

    @Test
    void ipv4MappedIsJudgedByItsIpv4() {
        // The JDK turns ::ffff:a.b.c.d into an Inet4Address; an Inet6Address can still carry it.
        assertThat(ip("::ffff:127.0.0.1")).isInstanceOf(Inet4Address.class);
        assertThat(v6("::ffff:127.0.0.1")).isInstanceOf(Inet6Address.class);

        assertThat(DEFAULT.permits(v6("::ffff:127.0.0.1"), 443)).isFalse();
        assertThat(DEFAULT.permits(v6("::ffff:10.0.0.1"), 443)).isFalse();
        assertThat(DEFAULT.permits(v6("::ffff:169.254.169.254"), 443)).isFalse();
        assertThat(DEFAULT.permits(v6("::ffff:8.8.8.8"), 443)).isTrue();
    }

    @Test
    void nat64WellKnownPrefixIsJudgedByItsIpv4() {
        assertThat(DEFAULT.permits(ip("64:ff9b::127.0.0.1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("64:ff9b::a00:1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("64:ff9b::c0a8:101"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("64:ff9b::808:808"), 443)).isTrue();
    }

    @Test
    void sixToFourIsJudgedByItsIpv4() {
        // 2002:V4ADDR::/48, RFC 3056 §2: the IPv4 address is bits 16..47.
        assertThat(DEFAULT.permits(ip("2002:7f00:1::1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("2002:a00:1:1::1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("2002:c0a8:101::"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("2002:808:808::1"), 443)).isTrue();
    }

    @Test
    void isatapIsJudgedByItsIpv4UnderAnyPrefix() {
        // RFC 5214 §6.1: the interface identifier is [02]00:5efe followed by the IPv4 address.
        assertThat(DEFAULT.permits(ip("2a00:1450:4001:800:0:5efe:7f00:1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("2a00:1450:4001:800:200:5efe:a00:1"), 443))
                .isFalse();
        assertThat(DEFAULT.permits(ip("2a00:1450:4001:800:200:5efe:808:808"), 443))
                .isTrue();
        assertThat(DestinationPolicy.views(ip("2a00:1450:4001:800:0:5efe:c0a8:101")))
                .containsExactly(ip("2a00:1450:4001:800:0:5efe:c0a8:101"), ip("192.168.1.1"));
    }

    @Test
    void teredoIsDeniedAndEvenWhenAllowedJudgedByBothItsIpv4s() {
        // 2001:0:SERVER:FLAGS:PORT:~CLIENT, RFC 4380 §4.
        assertThat(DEFAULT.permits(ip("2001:0:4136:e378:8000:63bf:3fff:fdd2"), 443))
                .isFalse();
        DestinationPolicy allowTeredo = new DestinationPolicy(List.of(IpPrefix.parse("2001::/32")), List.of());
        // client 192.0.2.45 inverted is 3fff:fdd2: TEST-NET-1, refused.
        assertThat(allowTeredo.permits(ip("2001:0:808:808:8000:63bf:3fff:fdd2"), 443))
                .isFalse();
        // server 10.0.0.1: private, refused.
        assertThat(allowTeredo.permits(ip("2001:0:a00:1:8000:63bf:f7f7:f7f7"), 443))
                .isFalse();
        // server 8.8.8.8, client 8.8.8.8 (inverted f7f7:f7f7): public, admitted.
        assertThat(allowTeredo.permits(ip("2001:0:808:808:8000:63bf:f7f7:f7f7"), 443))
                .isTrue();
    }

    @Test
    void ipv4CompatibleIsJudgedByItsIpv4() {
        assertThat(DEFAULT.permits(ip("::127.0.0.1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("::10.0.0.1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("::8.8.8.8"), 443)).isTrue();
    }

    @Test
    void ipv4TranslatedIsJudgedByItsIpv4() {
        // ::ffff:0:a.b.c.d, the SIIT "IPv4-translated" form (RFC 2765 §2.1): not IPv4-mapped, so the
        // JDK keeps it an Inet6Address, and a translator that still honours it reaches the IPv4.
        assertThat(ip("::ffff:0:127.0.0.1")).isInstanceOf(Inet6Address.class);

        assertThat(DEFAULT.permits(ip("::ffff:0:127.0.0.1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("::ffff:0:a00:1"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("::ffff:0:169.254.169.254"), 443)).isFalse();
        assertThat(DEFAULT.permits(ip("::ffff:0:8.8.8.8"), 443)).isTrue();
        assertThat(DestinationPolicy.views(ip("::ffff:0:10.0.0.1")))
                .containsExactly(ip("::ffff:0:10.0.0.1"), ip("10.0.0.1"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "64:ff9b:1::",
                "64:ff9b:1::7f00:1", // 127.0.0.1 in the /96 layout of RFC 6052 §2.2
                "64:ff9b:1::a00:1", // 10.0.0.1, likewise
                "64:ff9b:1:7f00:0:100::", // 127.0.0.1 in the /48 layout: bits 48..63 and 72..87
                "64:ff9b:1:a00:0:100::", // 10.0.0.1, likewise
                "64:ff9b:1::808:808", // even a public IPv4: the translator is someone's local one
                "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"
            })
    void localUseNat64PrefixIsRefusedWhateverItEmbeds(String address) {
        // RFC 8215: 64:ff9b:1::/48 is for local use, and its translator's prefix length, hence
        // where the IPv4 address sits (RFC 6052 §2.2), cannot be known from here.
        assertThat(DEFAULT.permits(ip(address), 443)).isFalse();
    }

    @Test
    void anAllowListedLocalUseNat64PrefixIsStillJudgedByItsIpv4() {
        DestinationPolicy policy = new DestinationPolicy(List.of(IpPrefix.parse("64:ff9b:1::/48")), List.of());

        assertThat(policy.permits(ip("64:ff9b:1::808:808"), 443)).isTrue();
        assertThat(policy.permits(ip("64:ff9b:1::7f00:1"), 443)).isFalse();
        assertThat(policy.permits(ip("64:ff9b:1::a00:1"), 443)).isFalse();
        assertThat(policy.permits(ip("64:ff9b:1:ffff::c0a8:101"), 443)).isFalse();
        assertThat(DestinationPolicy.views(ip("64:ff9b:1::a00:1")))
                .containsExactly(ip("64:ff9b:1::a00:1"), ip("10.0.0.1"));
    }

    @Test
    void ownAddressesAreRefusedInTheTranslatedForms() {
        DestinationPolicy policy =
                new DestinationPolicy(List.of(IpPrefix.parse("64:ff9b:1::/48")), List.of(IpPrefix.parse("9.9.9.0/29")));

        assertThat(policy.permits(ip("::ffff:0:9.9.9.1"), 443)).isFalse();
        assertThat(policy.permits(ip("64:ff9b:1::909:901"), 443)).isFalse();
        assertThat(policy.permits(ip("64:ff9b:1::909:909"), 443)).isTrue();
    }

    @Test
    void viewsAreTheAddressThenItsEmbeddedIpv4() {
        assertThat(DestinationPolicy.views(ip("8.8.8.8"))).containsExactly(ip("8.8.8.8"));
        assertThat(DestinationPolicy.views(ip("2001:4860:4860::8888"))).containsExactly(ip("2001:4860:4860::8888"));
        assertThat(DestinationPolicy.views(v6("::ffff:10.0.0.1")))
                .containsExactly(v6("::ffff:10.0.0.1"), ip("10.0.0.1"));
        assertThat(DestinationPolicy.views(ip("64:ff9b::a00:1"))).containsExactly(ip("64:ff9b::a00:1"), ip("10.0.0.1"));
        assertThat(DestinationPolicy.views(ip("2002:a00:1::1"))).containsExactly(ip("2002:a00:1::1"), ip("10.0.0.1"));
        assertThat(DestinationPolicy.views(ip("::10.0.0.1"))).containsExactly(ip("::10.0.0.1"), ip("10.0.0.1"));
        // :: embeds nothing (the unspecified address is refused as itself).
        assertThat(DestinationPolicy.views(ip("::"))).containsExactly(ip("::"));
    }

    @Test
    void permittedKeepsTheGivenOrder() {
        List<InetAddress> resolved =
                List.of(ip("2001:4860:4860::8888"), ip("8.8.8.8"), ip("2001:4860:4860::8844"), ip("8.8.4.4"));

        assertThat(DEFAULT.permitted(resolved, 443, a -> true)).containsExactlyElementsOf(resolved);
    }

    @Test
    void permittedDropsRefusedAndUnroutableAddressesAndKeepsTheRestInOrder() {
        List<InetAddress> resolved = List.of(
                ip("127.0.0.1"), ip("2001:4860:4860::8888"), ip("8.8.8.8"), ip("::1"), ip("8.8.4.4"), ip("10.0.0.1"));

        assertThat(DEFAULT.permitted(resolved, 443, a -> true))
                .containsExactly(ip("2001:4860:4860::8888"), ip("8.8.8.8"), ip("8.8.4.4"));
        assertThat(DEFAULT.permitted(resolved, 443, a -> a instanceof Inet4Address))
                .containsExactly(ip("8.8.8.8"), ip("8.8.4.4"));
    }

    @Test
    void permittedAsksRoutabilityOnlyForAddressesThePolicyPermits() {
        List<InetAddress> asked = new ArrayList<>();

        DEFAULT.permitted(List.of(ip("127.0.0.1"), ip("8.8.8.8"), ip("fe80::1")), 443, a -> asked.add(a));

        assertThat(asked).containsExactly(ip("8.8.8.8"));
    }

    @Test
    void nothingPermittedIsProhibited() {
        assertThatThrownBy(() -> DEFAULT.permitted(List.of(ip("127.0.0.1"), ip("::1"), ip("10.0.0.1")), 443, a -> true))
                .isInstanceOfSatisfying(RelayException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProxyErrorType.DESTINATION_IP_PROHIBITED);
                    assertThat(e.side()).isEqualTo(Side.DOWNSTREAM);
                    assertThat(e.details()).isEqualTo("the target is special-purpose and not allow-listed");
                    assertThat(e.status()).isEqualTo(403);
                });
    }

    @Test
    void nothingRoutableIsUnroutable() {
        assertThatThrownBy(() -> DEFAULT.permitted(
                        List.of(ip("2001:4860:4860::8888"), ip("2606:4700::1111")),
                        443,
                        a -> a instanceof Inet4Address))
                .isInstanceOfSatisfying(RelayException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProxyErrorType.DESTINATION_IP_UNROUTABLE);
                    assertThat(e.side()).isEqualTo(Side.UPSTREAM);
                    assertThat(e.details()).isEqualTo("no source address for the target's address family");
                    assertThat(e.status()).isEqualTo(502);
                });
    }

    @Test
    void refusedAndUnroutableTogetherIsProhibited() {
        // The policy refused something and nothing is left: the refusal is what the client hears.
        assertThatThrownBy(() -> DEFAULT.permitted(
                        List.of(ip("127.0.0.1"), ip("2001:4860:4860::8888")), 443, a -> a instanceof Inet4Address))
                .isInstanceOfSatisfying(
                        RelayException.class,
                        e -> assertThat(e.type()).isEqualTo(ProxyErrorType.DESTINATION_IP_PROHIBITED));
    }

    private static final List<InetSocketAddress> LOOPBACK_LISTENERS =
            List.of(new InetSocketAddress(ip("127.0.0.2"), 4434), new InetSocketAddress(ip("127.0.0.2"), 9434));

    @Test
    void aListenerOnLoopbackIsRefusedAtItsPortEvenWhenAllowListed() {
        // masque init's egress: QUIC 127.0.0.2:4434, admin 127.0.0.2:9434, all of loopback allowed.
        DestinationPolicy policy = new DestinationPolicy(
                List.of(AllowedDestination.parse("127.0.0.0/8")),
                new DestinationPolicy.Own(List.of(), LOOPBACK_LISTENERS, HostAddresses.none()));

        assertThat(policy.refusal(ip("127.0.0.2"), 4434)).isEqualTo("the target is a relay listener");
        assertThat(policy.refusal(ip("127.0.0.2"), 9434)).isEqualTo("the target is a relay listener");
        assertThat(policy.refusal(v6("::ffff:127.0.0.2"), 9434))
                .isEqualTo("the target embeds an IPv4 address that is a relay listener");
        assertThat(policy.permits(ip("64:ff9b::7f00:2"), 4434)).isFalse();
        assertThat(policy.permits(ip("::ffff:0:7f00:2"), 9434)).isFalse();
        // The same address at another port, and the same port elsewhere on loopback, are origins.
        assertThat(policy.permits(ip("127.0.0.2"), 8000)).isTrue();
        assertThat(policy.permits(ip("127.0.0.1"), 4434)).isTrue();
        assertThat(policy.permits(ip("127.0.0.1"), 9434)).isTrue();
    }

    @Test
    void aWildcardListenerIsRefusedOnLoopbackAndEveryHostAddress() {
        Set<InetAddress> host = new HashSet<>(Set.of(ip("127.0.0.1"), ip("::1"), ip("9.9.9.9")));
        HostAddresses addresses = HostAddresses.of(() -> Set.copyOf(host));
        DestinationPolicy policy = new DestinationPolicy(
                List.of(
                        AllowedDestination.parse("127.0.0.0/8"),
                        AllowedDestination.parse("9.9.9.0/24"),
                        AllowedDestination.parse("8.8.8.8:8080")),
                new DestinationPolicy.Own(
                        List.of(),
                        List.of(
                                new InetSocketAddress(ip("0.0.0.0"), 443),
                                new InetSocketAddress(ip("127.0.0.1"), 9434)),
                        addresses));

        // QUIC on 0.0.0.0:443 answers on all of 127.0.0.0/8 and on the host's own 9.9.9.9.
        assertThat(policy.refusal(ip("127.0.0.1"), 443)).isEqualTo("the target is a relay listener");
        assertThat(policy.refusal(ip("127.8.9.10"), 443)).isEqualTo("the target is a relay listener");
        assertThat(policy.refusal(ip("9.9.9.9"), 443)).isEqualTo("the target is a relay listener");
        assertThat(policy.refusal(ip("127.0.0.1"), 9434)).isEqualTo("the target is a relay listener");
        // A host address outside loopback is the relay at every port: a port-less entry does not
        // re-admit it.
        assertThat(policy.refusal(ip("9.9.9.9"), 80)).isEqualTo("the target is one of the relays' own addresses");
        assertThat(policy.permits(ip("9.9.9.10"), 80)).isTrue();
        // 0.0.0.0 takes IPv4 only: ::1 is refused as loopback, not as a listener.
        assertThat(policy.refusal(ip("::1"), 443)).isEqualTo("the target is special-purpose and not allow-listed");
        assertThat(policy.permits(ip("127.0.0.1"), 8000)).isTrue();
        assertThat(policy.permits(ip("127.0.0.2"), 9434)).isTrue();

        // Interfaces change: the refreshed set counts at once.
        host.add(ip("8.8.8.8"));
        assertThat(policy.permits(ip("8.8.8.8"), 80)).isTrue();
        addresses.refresh();
        assertThat(policy.refusal(ip("8.8.8.8"), 80)).isEqualTo("the target is one of the relays' own addresses");
        assertThat(policy.refusal(ip("8.8.8.8"), 443)).isEqualTo("the target is a relay listener");
        // ...except for the service an entry with ports names.
        assertThat(policy.permits(ip("8.8.8.8"), 8080)).isTrue();
        host.remove(ip("8.8.8.8"));
        addresses.refresh();
        assertThat(policy.permits(ip("8.8.8.8"), 80)).isTrue();
    }

    @Test
    void anIpv6WildcardTakesIpv4Too() {
        DestinationPolicy policy = new DestinationPolicy(
                List.of(AllowedDestination.parse("127.0.0.0/8"), AllowedDestination.parse("::1")),
                new DestinationPolicy.Own(
                        List.of(),
                        List.of(new InetSocketAddress(ip("::"), 443)),
                        HostAddresses.of(() -> Set.of(ip("127.0.0.1"), ip("::1")))));

        assertThat(policy.permits(ip("::1"), 443)).isFalse();
        assertThat(policy.permits(ip("127.0.0.1"), 443)).isFalse();
        assertThat(policy.permits(ip("::ffff:0:7f00:1"), 443)).isFalse();
        assertThat(policy.permits(ip("::1"), 444)).isTrue();
        assertThat(policy.permits(ip("127.0.0.1"), 444)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0.0.0.0", "::", "::ffff:0:0:0", "64:ff9b::"})
    void theUnspecifiedAddressIsThisHostAndNeverATarget(String address) {
        DestinationPolicy policy = new DestinationPolicy(
                List.of(AllowedDestination.parse("0.0.0.0/8"), AllowedDestination.parse("::/0")),
                DestinationPolicy.Own.of(List.of()));

        assertThat(policy.refusal(ip(address), 8000)).contains("one of the relays' own addresses");
    }

    @Test
    void anAllowEntryWithPortsAdmitsOnlyThosePorts() {
        DestinationPolicy policy = new DestinationPolicy(
                List.of(AllowedDestination.parse("127.0.0.1:8000"), AllowedDestination.parse("[::1]:8007-8008")),
                DestinationPolicy.Own.of(List.of()));

        assertThat(policy.permits(ip("127.0.0.1"), 8000)).isTrue();
        assertThat(policy.permits(v6("::ffff:127.0.0.1"), 8000)).isTrue();
        assertThat(policy.permits(ip("127.0.0.1"), 8001)).isFalse();
        assertThat(policy.permits(ip("127.0.0.2"), 8000)).isFalse();
        assertThat(policy.permits(ip("::1"), 8007)).isTrue();
        assertThat(policy.permits(ip("::1"), 8008)).isTrue();
        assertThat(policy.permits(ip("::1"), 8009)).isFalse();
    }

    /** Every IPv6 form that embeds 127.0.0.1 (or 10.0.0.1), and the rule that refuses it. */
    static Stream<Arguments> embeddedForms() {
        return Stream.of(
                Arguments.of("IPv4-mapped", "::ffff:7f00:1"),
                Arguments.of("IPv4-compatible", "::7f00:1"),
                Arguments.of("SIIT IPv4-translated", "::ffff:0:7f00:1"),
                Arguments.of("NAT64 well-known", "64:ff9b::7f00:1"),
                Arguments.of("NAT64 local-use", "64:ff9b:1::7f00:1"),
                Arguments.of("6to4", "2002:7f00:1::1"),
                Arguments.of("Teredo server", "2001:0:7f00:1:8000:63bf:f7f7:f7f7"),
                Arguments.of("Teredo client", "2001:0:808:808:8000:63bf:80ff:fffe"),
                Arguments.of("ISATAP", "2a00:1450:4001:800:0:5efe:7f00:1"),
                Arguments.of("ISATAP, global", "2a00:1450:4001:800:200:5efe:a00:1"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("embeddedForms")
    void everyForm(String form, String address) {
        InetAddress a = form.equals("IPv4-mapped") ? v6(address) : ip(address);
        assertThat(DEFAULT.refusal(a, 80)).as(form).contains("special-purpose");
        // Even with the IPv6 prefix allow-listed, the embedded loopback or private IPv4 decides.
        DestinationPolicy allowV6 =
                new DestinationPolicy(List.of(AllowedDestination.parse("::/0")), DestinationPolicy.Own.of(List.of()));
        assertThat(allowV6.refusal(a, 80))
                .as(form)
                .isEqualTo("the target embeds an IPv4 address that is special-purpose and not allow-listed");
        // And with loopback allow-listed, a relay listener on it stays refused in every form.
        DestinationPolicy loopback = new DestinationPolicy(
                List.of(
                        AllowedDestination.parse("::/0"),
                        AllowedDestination.parse("127.0.0.0/8"),
                        AllowedDestination.parse("10.0.0.0/8")),
                new DestinationPolicy.Own(
                        List.of(),
                        List.of(new InetSocketAddress(ip("127.0.0.1"), 80), new InetSocketAddress(ip("10.0.0.1"), 80)),
                        HostAddresses.none()));
        assertThat(loopback.refusal(a, 80)).as(form).contains("a relay listener");
    }

    /** An address from a literal, as the JDK types it (IPv4-mapped becomes an Inet4Address). */
    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByAddress(IpPrefix.parseLiteral(literal));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv6 literal kept as an Inet6Address, even in the IPv4-mapped range. */
    static InetAddress v6(String literal) {
        try {
            return Inet6Address.getByAddress(null, IpPrefix.parseLiteral(literal), -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
