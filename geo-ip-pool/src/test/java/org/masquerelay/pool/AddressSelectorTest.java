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
package org.masquerelay.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.masquerelay.config.IpPrefix;

class AddressSelectorTest {
    static final int KEYS = 10_000;
    static final long EPOCH = 480_000;

    static City city(String id, String... prefixes) {
        return new City(
                id,
                id,
                "GB",
                "GB-ENG",
                new Coordinates(51.5072, -0.1276),
                List.of(prefixes).stream().map(IpPrefix::parse).toList());
    }

    /** Keys from a seeded generator so the counts below are the same on every run. */
    static byte[][] keys(long seed) {
        Random random = new Random(seed);
        byte[][] keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = new byte[AddressSelector.KEY_BYTES];
            random.nextBytes(keys[i]);
        }
        return keys;
    }

    static InetAddress pick(City c, byte[] key, long epoch) {
        return AddressSelector.select(c, key, epoch, false).orElseThrow();
    }

    @Test
    void tenThousandConnectionsSpreadEvenlyOverASlash28() {
        City london = city("london", "127.101.0.0/28");
        Map<InetAddress, Integer> load = new HashMap<>();
        for (byte[] key : keys(1)) {
            load.merge(pick(london, key, EPOCH), 1, Integer::sum);
        }
        int max = load.values().stream().max(Integer::compare).orElseThrow();
        int min = load.values().stream().min(Integer::compare).orElseThrow();
        System.out.printf("/28 over %d keys: min %d, max %d, max/min %.3f%n", KEYS, min, max, (double) max / min);
        // Each address's count is Binomial(10000, 1/16): mean 625, sd sqrt(10000 * 1/16 * 15/16) = 24.2.
        // Allowing 5 sd (121) each way, a fair selector fails with probability < 16 * 5.7e-7 ~ 1e-5,
        // while a biased one (say an index taken from too few bits, or one address favoured by a
        // tenth) lands outside. So every count is in [504, 746] and max/min <= 746 / 504 = 1.48.
        assertThat(load).hasSize(16);
        assertThat(load.values()).allSatisfy(n -> assertThat(n).isBetween(504, 746));
        assertThat((double) max / min).isLessThanOrEqualTo(746.0 / 504);
    }

    @Test
    void prefixesAreWeightedBySize() {
        // 16 + 4 = 20 addresses: each should see 10000/20 = 500 (sd 21.8), so the /30 gets 2000
        // (sd sqrt(10000 * 0.2 * 0.8) = 40). A selector that picked prefixes first and addresses
        // second would give the /30 5000.
        City c = city("mixed", "127.101.0.0/28", "127.105.0.0/30");
        IpPrefix small = IpPrefix.parse("127.105.0.0/30");
        Map<InetAddress, Integer> load = new HashMap<>();
        for (byte[] key : keys(2)) {
            load.merge(pick(c, key, EPOCH), 1, Integer::sum);
        }
        int inSmall = load.entrySet().stream()
                .filter(e -> small.contains(e.getKey()))
                .mapToInt(Map.Entry::getValue)
                .sum();
        System.out.printf("/28 + /30 over %d keys: /30 got %d (expected 2000)%n", KEYS, inSmall);
        assertThat(load).hasSize(20);
        assertThat(inSmall).isBetween(2000 - 200, 2000 + 200);
        assertThat(load.values()).allSatisfy(n -> assertThat(n).isBetween(500 - 109, 500 + 109));
    }

    @Test
    void ipv6Slash64UsesAllSixtyFourHostBits() {
        // With 2^64 addresses every key gets its own; what can go wrong is a reduction that drops
        // bits. The top and bottom bits of the interface identifier must each be set about half
        // the time: 5000 +- 5 sd (sd 50).
        City c = city("v6", "2001:db8:101::/64");
        IpPrefix p = IpPrefix.parse("2001:db8:101::/64");
        int top = 0;
        int bottom = 0;
        for (byte[] key : keys(3)) {
            InetAddress a = AddressSelector.select(c, key, EPOCH, true).orElseThrow();
            assertThat(p.contains(a)).isTrue();
            byte[] b = a.getAddress();
            top += (b[8] >> 7) & 1;
            bottom += b[15] & 1;
        }
        System.out.printf("/64 over %d keys: top IID bit set %d, bottom bit set %d%n", KEYS, top, bottom);
        assertThat(top).isBetween(4750, 5250);
        assertThat(bottom).isBetween(4750, 5250);
    }

    @Test
    void sameKeyAndEpochKeepTheSameAddress() {
        City c = city("london", "127.101.0.0/28", "2001:db8:101::/64");
        byte[] key = AddressSelector.newConnectionKey();
        assertThat(AddressSelector.select(c, key, EPOCH, true))
                .isEqualTo(AddressSelector.select(c, key.clone(), EPOCH, true));
        assertThat(pick(c, key, EPOCH)).isEqualTo(pick(c, key, EPOCH));
    }

    @Test
    void theNextEpochMovesMostConnections() {
        // Independent draws from 16 addresses coincide with probability 1/16: expect 9375 of
        // 10000 to move (sd 24); 9000 is 15 sd below.
        City c = city("london", "127.101.0.0/28");
        int moved = 0;
        for (byte[] key : keys(4)) {
            if (!pick(c, key, EPOCH).equals(pick(c, key, EPOCH + 1))) {
                moved++;
            }
        }
        System.out.printf("next epoch moved %d of %d connections%n", moved, KEYS);
        assertThat(moved).isGreaterThan(9000);
    }

    @Test
    void differentCitiesDrawIndependently() {
        // Same key, two cities with equally sized pools: the offsets inside them agree only by chance.
        City a = city("a", "127.101.0.0/28");
        City b = city("b", "127.102.0.0/28");
        int same = 0;
        for (byte[] key : keys(5)) {
            if (pick(a, key, EPOCH).getAddress()[3] == pick(b, key, EPOCH).getAddress()[3]) {
                same++;
            }
        }
        assertThat(same).isBetween(625 - 121, 625 + 121);
    }

    @Test
    void prefersIpv6WhenTheTargetHasAaaaAndTheCityHasIpv6() {
        City dual = city("dual", "127.101.0.0/28", "2001:db8:101::/64");
        byte[] key = AddressSelector.newConnectionKey();
        assertThat(AddressSelector.select(dual, key, EPOCH, true)).get().isInstanceOf(Inet6Address.class);
        assertThat(AddressSelector.select(dual, key, EPOCH, false)).get().isInstanceOf(Inet4Address.class);
        // AAAA-only target, dual-stack city: IPv6.
        assertThat(AddressSelector.select(dual, key, EPOCH, false, true)).get().isInstanceOf(Inet6Address.class);

        City v4 = city("v4", "127.101.0.0/28");
        assertThat(AddressSelector.select(v4, key, EPOCH, true)).get().isInstanceOf(Inet4Address.class);
        assertThat(AddressSelector.select(v4, key, EPOCH, false, true)).isEmpty();

        City v6 = city("v6", "2001:db8:101::/64");
        assertThat(AddressSelector.select(v6, key, EPOCH, true)).get().isInstanceOf(Inet6Address.class);
        assertThat(AddressSelector.select(v6, key, EPOCH, false)).isEmpty();
        assertThat(AddressSelector.select(v6, key, EPOCH, true, false)).isEmpty();
        assertThat(AddressSelector.select(dual, key, EPOCH, false, false)).isEmpty();
    }

    @Test
    void addressesAreAlwaysInsideTheCitysPrefixes() {
        City c = city(
                "odd",
                "127.101.0.0/29",
                "127.101.0.12/30",
                "127.101.0.16/32",
                "2001:db8:101::/126",
                "2001:db8:102::/64");
        byte[][] keys = keys(6);
        for (int i = 0; i < 2_000; i++) {
            for (boolean v6 : new boolean[] {false, true}) {
                InetAddress a =
                        AddressSelector.select(c, keys[i], EPOCH + i % 7, v6).orElseThrow();
                assertThat(c.prefixes()).anyMatch(p -> p.contains(a));
            }
        }
    }

    @Test
    void shortKeysAreRefused() {
        City c = city("london", "127.101.0.0/28");
        // Four bytes is what a client IPv4 address would be: exactly what must never be a key.
        assertThatThrownBy(() -> AddressSelector.select(c, new byte[4], EPOCH, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connection key of 4 bytes (expected: at least 16 random bytes from newConnectionKey())");
        assertThatThrownBy(() -> AddressSelector.select(c, null, EPOCH, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(AddressSelector.newConnectionKey()).hasSize(32).isNotEqualTo(AddressSelector.newConnectionKey());
    }

    @Test
    void epochsAreWholePeriodsSinceTheUnixEpoch() {
        Duration hour = Duration.ofHours(1);
        assertThat(AddressSelector.epochOf(Instant.ofEpochSecond(0), hour)).isZero();
        assertThat(AddressSelector.epochOf(Instant.ofEpochSecond(3599), hour)).isZero();
        assertThat(AddressSelector.epochOf(Instant.ofEpochSecond(3600), hour)).isEqualTo(1);
        // 2025-01-01T00:00:00Z is 1735689600 s = 482136 h after the Unix epoch.
        assertThat(AddressSelector.epochOf(Instant.parse("2025-01-01T10:59:59Z"), hour))
                .isEqualTo(482_146);
        assertThat(AddressSelector.epochOf(Instant.ofEpochSecond(-1), hour)).isEqualTo(-1);
        assertThatThrownBy(() -> AddressSelector.epochOf(Instant.EPOCH, Duration.ZERO))
                .hasMessage("rotation period PT0S (expected: at least PT0.001S)");
    }
}
