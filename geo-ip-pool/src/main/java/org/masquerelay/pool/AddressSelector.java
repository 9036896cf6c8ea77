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

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.masquerelay.config.IpPrefix;

/**
 * Picks the source address for an upstream flow from a city's pool (docs/architecture.md §4).
 *
 * <p>The address is {@code HMAC-SHA256(connectionKey, label | epoch | family | counter | cityId)}
 * reduced, without bias, to an index over every address of the chosen family, prefixes weighted by
 * their size. So:
 * <ul>
 *   <li>one inner connection (one key) keeps one address for the whole epoch;</li>
 *   <li>different connections spread uniformly over the pool: the HMAC output is
 *       indistinguishable from random to anyone without the key;</li>
 *   <li>addresses rotate when the epoch changes, and a connection's addresses in two epochs are
 *       unlinkable;</li>
 *   <li>nothing about the client enters the computation. The key must come from
 *       {@link #newConnectionKey()} once per inner connection and never from a client address,
 *       token or account, or the source address would become a stable client identifier.</li>
 * </ul>
 *
 * <p>Reduction: the 256-bit HMAC value {@code v} is accepted when it is below the largest
 * multiple of the pool size {@code n} that fits in 2^256, and the index is {@code v mod n};
 * otherwise the counter increments and a new value is drawn. Every index is then equally likely.
 * With {@code n <= 2^129} a retry happens with probability below 2^-127.
 */
public final class AddressSelector {
    /** Connection keys shorter than this could be guessed, or be something other than random. */
    public static final int MIN_KEY_BYTES = 16;
    /** {@link #newConnectionKey()} length. */
    public static final int KEY_BYTES = 32;

    private static final byte[] LABEL = "masque-relay pool address v1".getBytes(StandardCharsets.US_ASCII);
    private static final BigInteger TWO_TO_256 = BigInteger.ONE.shiftLeft(256);
    private static final SecureRandom RANDOM = new SecureRandom();

    private AddressSelector() {}

    /** A fresh random key for one inner connection. */
    public static byte[] newConnectionKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * The rotation epoch holding {@code now}: whole periods since the Unix epoch, so every egress
     * with the same clock and period rotates at the same instants.
     */
    public static long epochOf(Instant now, Duration period) {
        if (period.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("rotation period " + period + " (expected: at least PT0.001S)");
        }
        return Math.floorDiv(now.toEpochMilli(), period.toMillis());
    }

    /**
     * {@link #select(City, byte[], long, boolean, boolean)} for a target reachable over IPv4, which
     * {@code targetHasIpv6} says may also have AAAA records.
     */
    public static Optional<InetAddress> select(City city, byte[] connectionKey, long epoch, boolean targetHasIpv6) {
        return select(city, connectionKey, epoch, true, targetHasIpv6);
    }

    /**
     * The source address for a flow to a target with the given address families. IPv6 is
     * preferred when the target has AAAA records and the city has an IPv6 prefix; otherwise IPv4
     * when both have it. Empty when no family is shared, so the caller refuses the flow rather
     * than dialling from an address of another city.
     *
     * @param connectionKey at least {@value #MIN_KEY_BYTES} random bytes, from {@link #newConnectionKey()}
     */
    public static Optional<InetAddress> select(
            City city, byte[] connectionKey, long epoch, boolean targetHasIpv4, boolean targetHasIpv6) {
        if (connectionKey == null || connectionKey.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("connection key of " + (connectionKey == null ? 0 : connectionKey.length)
                    + " bytes (expected: at least " + MIN_KEY_BYTES + " random bytes from newConnectionKey())");
        }
        if (targetHasIpv6 && city.hasIpv6()) {
            return Optional.of(pick(city, city.prefixes(true), connectionKey, epoch, 6));
        }
        if (targetHasIpv4 && city.hasIpv4()) {
            return Optional.of(pick(city, city.prefixes(false), connectionKey, epoch, 4));
        }
        return Optional.empty();
    }

    private static InetAddress pick(City city, List<IpPrefix> prefixes, byte[] key, long epoch, int family) {
        BigInteger n = prefixes.stream().map(IpPrefix::size).reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger limit = TWO_TO_256.subtract(TWO_TO_256.mod(n));
        Mac mac = hmac(key);
        byte[] cityId = city.id().getBytes(StandardCharsets.UTF_8);
        BigInteger index = null;
        for (int counter = 0; index == null; counter++) {
            mac.update(LABEL);
            mac.update(ByteBuffer.allocate(Long.BYTES + 1 + Integer.BYTES)
                    .putLong(epoch)
                    .put((byte) family)
                    .putInt(counter)
                    .array());
            mac.update(cityId);
            BigInteger v = new BigInteger(1, mac.doFinal());
            if (v.compareTo(limit) < 0) {
                index = v.mod(n);
            }
        }
        for (IpPrefix p : prefixes) {
            if (index.compareTo(p.size()) < 0) {
                return p.addressAt(index);
            }
            index = index.subtract(p.size());
        }
        throw new AssertionError("index beyond the pool of " + city.id());
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }
}
