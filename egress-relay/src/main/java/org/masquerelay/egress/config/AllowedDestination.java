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
import org.masquerelay.config.IpPrefix;

/**
 * One {@code destinations.allow} entry: a CIDR prefix, and optionally the ports it admits.
 *
 * <ul>
 *   <li>{@code 10.1.0.0/16}, {@code fd00:1::/32}: every port of the prefix;
 *   <li>{@code 127.0.0.1:8000}, {@code 127.0.0.0/8:8000-8010}: only those ports (IPv4);
 *   <li>{@code [::1]:8000}, {@code [fd00::/8]:443-444}: only those ports (IPv6, in brackets, as in
 *       a URI authority, RFC 3986 §3.2.2).
 * </ul>
 *
 * <p>An entry with ports admits the addresses of its prefix at those ports only, for TCP and UDP
 * alike. It is the only kind of entry that may admit an address the relays own themselves at a
 * port where no relay listens (see {@link org.masquerelay.egress.policy.DestinationPolicy}).
 *
 * @param prefix the addresses admitted
 * @param firstPort the lowest port admitted, 1 when every port is
 * @param lastPort the highest port admitted, 65535 when every port is
 */
public record AllowedDestination(IpPrefix prefix, int firstPort, int lastPort) {
    /** How {@code destinations.allow} entries are written, for config errors. */
    public static final String SYNTAX =
            "a CIDR prefix, optionally with a port or port range: 10.0.0.0/8, 127.0.0.1:8000, "
                    + "127.0.0.0/8:8000-8010, [::1]:8000";

    public AllowedDestination {
        if (firstPort < 1 || lastPort > 65535 || firstPort > lastPort) {
            throw new IllegalArgumentException(
                    "ports " + firstPort + "-" + lastPort + " (expected: 1-65535, low-high)");
        }
    }

    /** Every port of {@code prefix}. */
    public static AllowedDestination anyPort(IpPrefix prefix) {
        return new AllowedDestination(prefix, 1, 65535);
    }

    /**
     * Parses one entry in the forms of the class comment.
     *
     * @throws IllegalArgumentException with a message that says what is wrong
     */
    public static AllowedDestination parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty entry");
        }
        String s = text.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("no closing ] after the IPv6 prefix");
            }
            IpPrefix prefix = IpPrefix.parse(s.substring(1, close));
            if (!prefix.isIpv6()) {
                throw new IllegalArgumentException(
                        "brackets are for IPv6 only; write an IPv4 prefix as " + s.substring(1, close) + ":PORT");
            }
            String rest = s.substring(close + 1);
            if (!rest.startsWith(":") || rest.length() == 1) {
                throw new IllegalArgumentException(
                        "a port after the brackets, as in [::1]:8000; without ports write the prefix bare");
            }
            return withPorts(prefix, rest.substring(1));
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return anyPort(IpPrefix.parse(s));
        }
        if (s.indexOf(':', colon + 1) >= 0) {
            // Two or more colons: an IPv6 prefix without ports. An IPv6 entry with ports needs
            // brackets, or "::1:8000" would be the address ::1:8000.
            return anyPort(IpPrefix.parse(s));
        }
        IpPrefix prefix = IpPrefix.parse(s.substring(0, colon));
        return withPorts(prefix, s.substring(colon + 1));
    }

    private static AllowedDestination withPorts(IpPrefix prefix, String ports) {
        int dash = ports.indexOf('-');
        int first = port(dash < 0 ? ports : ports.substring(0, dash));
        int last = dash < 0 ? first : port(ports.substring(dash + 1));
        if (first > last) {
            throw new IllegalArgumentException("port range " + ports + " runs backwards (expected: low-high)");
        }
        return new AllowedDestination(prefix, first, last);
    }

    private static int port(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port " + (s.isEmpty() ? "missing" : s) + " (expected: 1-65535)");
        }
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + s + " (expected: 1-65535)");
        }
        return p;
    }

    /** Whether every port is admitted. */
    public boolean allPorts() {
        return firstPort == 1 && lastPort == 65535;
    }

    /** Whether this entry admits {@code address} at {@code port}. */
    public boolean admits(InetAddress address, int port) {
        return port >= firstPort && port <= lastPort && prefix.contains(address);
    }
}
