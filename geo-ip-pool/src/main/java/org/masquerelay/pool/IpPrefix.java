package org.masquerelay.pool;

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
            throw new IllegalArgumentException(text + " (expected: canonical prefix "
                    + format(masked) + "/" + len + ", host bits must be zero)");
        }
        return new IpPrefix(masked, len);
    }

    /** A prefix that covers exactly one address. */
    public static IpPrefix of(InetAddress address) {
        byte[] b = address.getAddress();
        return new IpPrefix(b, b.length * 8);
    }

    /**
     * Parses a numeric IPv4 or IPv6 literal without DNS. {@link InetAddress#getByName} never
     * resolves input that contains ':' and, for IPv4, we check the dotted-quad shape first.
     */
    public static byte[] parseLiteral(String text) {
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        if (s.indexOf(':') < 0) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException(text + " (expected: IPv4 or IPv6 literal)");
            }
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                        || (p.length() > 1 && p.charAt(0) == '0')) {
                    throw new IllegalArgumentException(text + " (expected: IPv4 or IPv6 literal)");
                }
                int v = Integer.parseInt(p);
                if (v > 255) {
                    throw new IllegalArgumentException(text + " (expected: IPv4 octets 0-255)");
                }
                out[i] = (byte) v;
            }
            return out;
        }
        if (s.indexOf('%') >= 0 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw new IllegalArgumentException(text + " (expected: IPv6 literal without zone)");
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            byte[] b = a.getAddress();
            if (b.length == 4) {
                // An IPv4-mapped literal; keep it in IPv6 form so families never mix silently.
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(b, 0, v6, 12, 4);
                return v6;
            }
            return b;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text + " (expected: IPv6 literal)", e);
        }
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
        return other.network.length == network.length && other.length >= length
                && Arrays.equals(mask(other.network, length), network);
    }

    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    public int length() {
        return length;
    }

    /** Number of host bits, 0-128. */
    public int hostBits() {
        return network.length * 8 - length;
    }

    public InetAddress network() {
        try {
            return InetAddress.getByAddress(network.clone());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The address at {@code offset} host positions from the network address. Only the low 63
     * bits of the host part can be addressed this way, which is plenty for a pool.
     */
    public InetAddress addressAt(long offset) {
        byte[] b = network.clone();
        long carry = offset;
        for (int i = b.length - 1; i >= 0 && carry != 0; i--) {
            long sum = (b[i] & 0xff) + (carry & 0xff);
            b[i] = (byte) sum;
            carry = (carry >>> 8) + (sum >>> 8);
        }
        try {
            InetAddress a = InetAddress.getByAddress(b);
            if (!contains(a)) {
                throw new IllegalArgumentException("offset " + offset + " is outside " + this);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static String format(byte[] b) {
        try {
            InetAddress a = InetAddress.getByAddress(b);
            // RFC 5952 §4 text for IPv6, so logs and CSVs never show 0:0:0:0:0:0:0:1.
            return a instanceof Inet6Address ? HostSyntax.canonicalize(a.getHostAddress()) : a.getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
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
