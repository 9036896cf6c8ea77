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

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.masquerelay.protocol.uri.HostSyntax;

/**
 * An IPv4 or IPv6 prefix in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3).
 *
 * <p>Parsing is strict: the address part must be a numeric literal (never a name, so parsing
 * never touches DNS) and {@link #parse} rejects host bits set below the prefix length, because a
 * non-canonical prefix in an allowlist or a pool almost always hides a typo.
 */
public final class IpPrefix implements Comparable<IpPrefix> {
    private final byte[] network;
    private final int length;

    private IpPrefix(byte[] network, int length) {
        this.network = network;
        this.length = length;
    }

    /** Parses {@code 192.0.2.0/24} or {@code 2001:db8::/32}; a bare address is a host prefix. */
    public static IpPrefix parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty prefix");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        String addressPart = slash < 0 ? s : s.substring(0, slash);
        byte[] address = parseLiteral(addressPart);
        int max = address.length * 8;
        int len = max;
        if (slash >= 0) {
            String lenPart = s.substring(slash + 1);
            if (lenPart.isEmpty() || lenPart.length() > 3 || !lenPart.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException(text + " (expected: address/length)");
            }
            len = Integer.parseInt(lenPart);
            if (len > max) {
                throw new IllegalArgumentException(text + " (expected: prefix length 0-" + max + ")");
            }
        }
        byte[] masked = mask(address, len);
        if (!Arrays.equals(masked, address)) {
            throw new IllegalArgumentException(
                    text + " (expected: canonical prefix " + format(masked) + "/" + len + ", host bits must be zero)");
        }
        return new IpPrefix(masked, len);
    }

    /** A prefix that covers exactly one address. */
    public static IpPrefix of(InetAddress address) {
        byte[] b = address.getAddress();
        return new IpPrefix(b, b.length * 8);
    }

    /**
     * Parses a numeric IPv4 or IPv6 literal without DNS, with {@link HostSyntax#parseIpLiteral},
     * the project's one IP-literal parser.
     *
     * @throws IllegalArgumentException if {@code text} is not an IP literal
     */
    public static byte[] parseLiteral(String text) {
        byte[] b = HostSyntax.parseIpLiteral(text);
        if (b == null) {
            throw new IllegalArgumentException(text + " (expected: IPv4 or IPv6 literal)");
        }
        return b;
    }

    private static byte[] mask(byte[] address, int len) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, len - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    public boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(b, length), network);
    }

    public boolean contains(IpPrefix other) {
        return other.network.length == network.length
                && other.length >= length
                && Arrays.equals(mask(other.network, length), network);
    }

    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    /**
     * Whether this is an IPv6 prefix inside {@code ::ffff:0:0/96} (RFC 4291 §2.5.5.2). Such an
     * address is an IPv4 host seen through an IPv6 socket; files that mean an IPv4 range should
     * say so in IPv4 form.
     */
    public boolean isIpv4Mapped() {
        if (network.length != 16 || length < 96) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (network[i] != 0) {
                return false;
            }
        }
        return network[10] == (byte) 0xff && network[11] == (byte) 0xff;
    }

    public int length() {
        return length;
    }

    /** Number of host bits, 0-128. */
    public int hostBits() {
        return network.length * 8 - length;
    }

    public InetAddress network() {
        return toAddress(network.clone());
    }

    /** Number of addresses the prefix covers, {@code 2^hostBits()}: up to 2^128 for {@code ::/0}. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(hostBits());
    }

    /** {@link #addressAt(BigInteger)} for offsets that fit a {@code long}. */
    public InetAddress addressAt(long offset) {
        return addressAt(BigInteger.valueOf(offset));
    }

    /**
     * The address at {@code offset} host positions from the network address, for any offset in
     * {@code [0, size())}: a /64 pool has 2^64 of them, more than a {@code long} counts.
     */
    public InetAddress addressAt(BigInteger offset) {
        if (offset.signum() < 0 || offset.compareTo(size()) >= 0) {
            throw new IllegalArgumentException("offset " + offset + " (expected: 0 to "
                    + size().subtract(BigInteger.ONE) + " inside " + this + ")");
        }
        byte[] b = network.clone();
        byte[] host = offset.toByteArray(); // big-endian, possibly with a leading sign byte of zero
        for (int i = 1; i <= host.length && i <= b.length; i++) {
            // Host bits of the network are zero, so OR is addition without carries.
            b[b.length - i] |= host[host.length - i];
        }
        return toAddress(b);
    }

    /**
     * The prefix of {@code length} bits that holds {@code address}, host bits cleared: the key a
     * longest-prefix match looks up for each candidate length.
     */
    public static IpPrefix containing(InetAddress address, int length) {
        byte[] b = address.getAddress();
        if (length < 0 || length > b.length * 8) {
            throw new IllegalArgumentException(length + " (expected: prefix length 0-" + b.length * 8 + ")");
        }
        return new IpPrefix(mask(b, length), length);
    }

    private static InetAddress toAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static String format(byte[] b) {
        InetAddress a = toAddress(b);
        // RFC 5952 §4 text for IPv6, so logs and CSVs never show 0:0:0:0:0:0:0:1.
        return a instanceof Inet6Address ? HostSyntax.canonicalize(a.getHostAddress()) : a.getHostAddress();
    }

    @Override
    public String toString() {
        return format(network) + "/" + length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + length;
    }

    @Override
    public int compareTo(IpPrefix o) {
        if (network.length != o.network.length) {
            return Integer.compare(network.length, o.network.length);
        }
        int c = Arrays.compareUnsigned(network, o.network);
        return c != 0 ? c : Integer.compare(length, o.length);
    }
}
