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
package org.masquerelay.protocol.uri;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Validation and canonical form of a target host: a DNS name (RFC 1123 §2.1 LDH labels), an
 * IPv4 literal (RFC 3986 §3.2.2 {@code IPv4address}) or an IPv6 literal (RFC 4291 §2.2, printed
 * per RFC 5952 §4).
 */
public final class HostSyntax {

    static final int MAX_HOST_LENGTH = 253; // RFC 1035 §2.3.4, as text without the trailing dot
    private static final int MAX_LABEL_LENGTH = 63; // RFC 1035 §2.3.4

    private HostSyntax() {}

    /**
     * Returns the canonical form of {@code host}, or throws if it is not a DNS name or IP literal. A
     * bracketed IPv6 literal is accepted and returned without brackets. Also the one formatter of
     * IPv6 text in the project (geo-ip-pool's prefixes print through it).
     *
     * @throws MalformedTargetException if {@code host} is neither
     */
    public static String canonicalize(String host) {
        if (host == null || host.isEmpty()) {
            throw new MalformedTargetException("host is empty");
        }
        if (host.length() > MAX_HOST_LENGTH) {
            throw new MalformedTargetException("host length " + host.length() + " exceeds " + MAX_HOST_LENGTH);
        }
        if (host.charAt(0) == '[') {
            if (host.length() < 3 || host.charAt(host.length() - 1) != ']') {
                throw new MalformedTargetException("host has an unbalanced '['");
            }
            return canonicalIpv6(host.substring(1, host.length() - 1));
        }
        if (host.indexOf(':') >= 0) {
            return canonicalIpv6(host);
        }
        // Check the text as written: lower-casing first would let non-ASCII letters through as LDH,
        // such as KELVIN SIGN (U+212A), which Locale.ROOT lower-cases to 'k'.
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                throw new MalformedTargetException(
                        "host contains invalid character " + describe(c) + " at offset " + i);
            }
        }
        String lower = host.toLowerCase(Locale.ROOT);
        boolean rooted = lower.endsWith(".");
        String name = rooted ? lower.substring(0, lower.length() - 1) : lower;
        if (name.isEmpty()) {
            throw new MalformedTargetException("host has an empty label");
        }
        String[] labels = name.split("\\.", -1);
        if (isAllDigits(labels[labels.length - 1])) {
            // Top-level domains are never all-numeric (RFC 3696 §2), so this is meant as IPv4.
            if (rooted || parseIpv4(name) == null) {
                throw new MalformedTargetException(
                        "host is not a valid IPv4 address (expected: four decimal octets 0-255 without"
                                + " leading zeros)");
            }
            return name;
        }
        for (String label : labels) {
            if (label.isEmpty()) {
                throw new MalformedTargetException("host has an empty label");
            }
            if (label.length() > MAX_LABEL_LENGTH) {
                throw new MalformedTargetException(
                        "host label length " + label.length() + " exceeds " + MAX_LABEL_LENGTH);
            }
            if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                throw new MalformedTargetException("host label starts or ends with '-'");
            }
        }
        return lower;
    }

    /** Whether a canonical host is an IPv4 or IPv6 literal rather than a DNS name. */
    static boolean isIpLiteral(String canonicalHost) {
        return canonicalHost.indexOf(':') >= 0 || parseIpv4(canonicalHost) != null;
    }

    /** Whether a canonical host is an IPv6 literal (and so needs brackets in an authority). */
    static boolean isIpv6(String canonicalHost) {
        return canonicalHost.indexOf(':') >= 0;
    }

    /** Parses a port of 1 to 5 decimal digits, no sign or leading zero, in 1-65535. */
    static int parsePort(String port) {
        if (port.isEmpty()) {
            throw new MalformedTargetException("port is empty");
        }
        if (port.length() > 5 || !isAllDigits(port)) {
            throw new MalformedTargetException("port is not a decimal number (expected: 1-65535)");
        }
        if (port.length() > 1 && port.charAt(0) == '0') {
            throw new MalformedTargetException("port has a leading zero (expected: 1-65535)");
        }
        return checkPort(Integer.parseInt(port));
    }

    static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new MalformedTargetException("port " + port + " out of range (expected: 1-65535)");
        }
        return port;
    }

    /** Prints a character for an error message without echoing anything unprintable. */
    static String describe(int c) {
        if (c > 0x20 && c < 0x7F) {
            return "'" + (char) c + "'";
        }
        return String.format(Locale.ROOT, "U+%04X", c);
    }

    private static boolean isAllDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The one IP-literal parser of the project: the address bytes of a strict dotted-quad IPv4
     * literal (4 bytes) or an RFC 4291 §2.2 IPv6 literal (16 bytes, brackets allowed, no zone),
     * or {@code null} when {@code text} is neither. It never consults DNS. An IPv4-mapped IPv6
     * literal stays 16 bytes, so families never mix silently.
     */
    public static byte @Nullable [] parseIpLiteral(String text) {
        String s = text;
        if (s.length() > 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') < 0) {
            return parseIpv4(s);
        }
        if (s.indexOf('%') >= 0) {
            return null;
        }
        int[] groups = parseIpv6(s);
        if (groups == null) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups[i] >>> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        return out;
    }

    /** Returns the 4 octets of a strict dotted-quad, or {@code null}. */
    static byte @Nullable [] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] octets = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.length() > 3 || !isAllDigits(part) || part.length() > 1 && part.charAt(0) == '0') {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            octets[i] = (byte) value;
        }
        return octets;
    }

    private static String canonicalIpv6(String s) {
        if (s.indexOf('%') >= 0) {
            throw new MalformedTargetException("IPv6 zone identifiers are not allowed");
        }
        int[] groups = parseIpv6(s);
        if (groups == null) {
            throw new MalformedTargetException("host is not a valid IPv6 address");
        }
        return formatIpv6(groups);
    }

    /** Returns the eight 16-bit groups of an RFC 4291 §2.2 text address, or {@code null}. */
    static int @Nullable [] parseIpv6(String s) {
        int[] groups = new int[8];
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        if (gap < 0) {
            return parseGroups(s, true, groups, 0) == 8 ? groups : null;
        }
        int[] tail = new int[8];
        int headCount = parseGroups(s.substring(0, gap), false, groups, 0);
        int tailCount = parseGroups(s.substring(gap + 2), true, tail, 0);
        if (headCount < 0 || tailCount < 0 || headCount + tailCount > 7) {
            return null;
        }
        System.arraycopy(tail, 0, groups, 8 - tailCount, tailCount);
        return groups;
    }

    /**
     * Parses {@code h16 *(":" h16)}, optionally ending in a dotted quad, into {@code out} from
     * {@code pos}; returns the group count or -1.
     */
    private static int parseGroups(String part, boolean mayEndInIpv4, int[] out, int pos) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] fields = part.split(":", -1);
        int count = pos;
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            if (mayEndInIpv4 && i == fields.length - 1 && field.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4(field);
                if (v4 == null || count > 6) {
                    return -1;
                }
                out[count++] = (v4[0] & 0xFF) << 8 | v4[1] & 0xFF;
                out[count++] = (v4[2] & 0xFF) << 8 | v4[3] & 0xFF;
                continue;
            }
            if (field.isEmpty() || field.length() > 4 || count > 7) {
                return -1;
            }
            int value = 0;
            for (int j = 0; j < field.length(); j++) {
                int digit = PercentEncoding.hexValue(field.charAt(j));
                if (digit < 0) {
                    return -1;
                }
                value = value << 4 | digit;
            }
            out[count++] = value;
        }
        return count - pos;
    }

    /** RFC 5952 §4: lower-case hex, no leading zeros, longest zero run (of 2+) as "::". */
    private static String formatIpv6(int[] groups) {
        if (groups[0] == 0
                && groups[1] == 0
                && groups[2] == 0
                && groups[3] == 0
                && groups[4] == 0
                && groups[5] == 0xFFFF) {
            // RFC 5952 §5: IPv4-mapped addresses keep the dotted-quad tail.
            return "::ffff:"
                    + (groups[6] >>> 8)
                    + "."
                    + (groups[6] & 0xFF)
                    + "."
                    + (groups[7] >>> 8)
                    + "."
                    + (groups[7] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
