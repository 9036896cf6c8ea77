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
package org.masquerelay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class IpPrefixTest {
    @Test
    void sizeCountsEveryAddressUpToIpv6() {
        assertThat(IpPrefix.parse("127.101.0.0/28").size()).isEqualTo(BigInteger.valueOf(16));
        assertThat(IpPrefix.parse("192.0.2.1/32").size()).isEqualTo(BigInteger.ONE);
        assertThat(IpPrefix.parse("2001:db8::/64").size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThat(IpPrefix.parse("::/0").size()).isEqualTo(BigInteger.ONE.shiftLeft(128));
    }

    @Test
    void addressAtReachesTheWholeOfAnIpv6Slash64() {
        IpPrefix p = IpPrefix.parse("2001:db8:101::/64");
        BigInteger last = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        assertThat(p.addressAt(BigInteger.ZERO).getHostAddress()).isEqualTo("2001:db8:101:0:0:0:0:0");
        assertThat(p.addressAt(last).getHostAddress()).isEqualTo("2001:db8:101:0:ffff:ffff:ffff:ffff");
        assertThat(p.addressAt(BigInteger.ONE.shiftLeft(63)).getHostAddress()).isEqualTo("2001:db8:101:0:8000:0:0:0");
        assertThatThrownBy(() -> p.addressAt(last.add(BigInteger.ONE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("offset 18446744073709551616 (expected: 0 to 18446744073709551615 inside "
                        + "2001:db8:101::/64)");
        assertThatThrownBy(() -> p.addressAt(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addressAtOnIpv4() {
        IpPrefix p = IpPrefix.parse("127.101.0.0/28");
        assertThat(p.addressAt(0).getHostAddress()).isEqualTo("127.101.0.0");
        assertThat(p.addressAt(15).getHostAddress()).isEqualTo("127.101.0.15");
        assertThatThrownBy(() -> p.addressAt(16)).isInstanceOf(IllegalArgumentException.class);
        assertThat(IpPrefix.parse("10.0.0.0/8").addressAt(0x01_02_03).getHostAddress())
                .isEqualTo("10.1.2.3");
    }

    @Test
    void containingMasksHostBits() throws Exception {
        var a = java.net.InetAddress.getByAddress(IpPrefix.parseLiteral("127.1.2.3"));
        assertThat(IpPrefix.containing(a, 24)).isEqualTo(IpPrefix.parse("127.1.2.0/24"));
        assertThat(IpPrefix.containing(a, 0)).isEqualTo(IpPrefix.parse("0.0.0.0/0"));
        assertThatThrownBy(() -> IpPrefix.containing(a, 33)).hasMessage("33 (expected: prefix length 0-32)");
    }

    @Test
    void recognisesIpv4MappedPrefixes() {
        assertThat(IpPrefix.parse("::ffff:127.9.0.0/112").isIpv4Mapped()).isTrue();
        assertThat(IpPrefix.parse("::ffff:0:0/96").isIpv4Mapped()).isTrue();
        assertThat(IpPrefix.parse("::/95").isIpv4Mapped()).isFalse();
        assertThat(IpPrefix.parse("2001:db8::/96").isIpv4Mapped()).isFalse();
        assertThat(IpPrefix.parse("127.0.0.0/8").isIpv4Mapped()).isFalse();
    }
}
