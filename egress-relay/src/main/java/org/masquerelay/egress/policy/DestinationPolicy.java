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

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.egress.config.AllowedDestination;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;

/**
 * Which target addresses and ports the egress may dial. A relay that dials anything is an open
 * proxy into its operator's private networks, so special-purpose space (RFC 6890 and its
 * updates) is refused unless an explicit allowlist admits it. What belongs to the relays
 * themselves ({@link Own}) is judged first, and no allowlist entry overrides it:
 *
 * <ul>
 *   <li>the egress's listeners (QUIC and admin) at their port: on their address, or, for a
 *       wildcard address, on loopback and on every address of the host, so a flow to ourselves
 *       (a loop into the QUIC port, or the unauthenticated {@code /metrics}) is never dialled;
 *   <li>{@code 0.0.0.0} and {@code ::}, which reach this host;
 *   <li>at every port: the source addresses and pools, the listen addresses outside loopback and
 *       the ingress prefixes outside loopback;
 *   <li>the host's other addresses outside loopback (learnt when a listener is on a wildcard)
 *       at every port, unless an allowlist entry with ports names that service.
 * </ul>
 *
 * <p>Loopback is judged per (address, port) because one host's loopback carries the relays and
 * the services next to them alike: {@code 127.0.0.1:8000} may be allow-listed as an origin while
 * {@code 127.0.0.1:<admin port>} stays refused. Special-purpose space stays refused unless an
 * allowlist entry admits the address at that port.
 *
 * <p>IPv6 addresses that embed an IPv4 address are judged by the embedded address too, so
 * {@code ::ffff:127.0.0.1} is loopback: IPv4-mapped {@code ::ffff:0:0/96} (RFC 4291 §2.5.5.2),
 * IPv4-compatible {@code ::/96} (RFC 4291 §2.5.5.1), the SIIT "IPv4-translated" {@code
 * ::ffff:0:0:0/96} (RFC 2765 §2.1), NAT64 {@code 64:ff9b::/96} (RFC 6052 §2.1), 6to4 {@code
 * 2002::/16} (RFC 3056 §2), Teredo {@code 2001::/32} (RFC 4380 §4: its server's and its client's
 * IPv4) and the ISATAP interface identifier {@code ::[02]00:5efe:a.b.c.d} under any prefix (RFC
 * 5214 §6.1). The local-use translation prefix {@code 64:ff9b:1::/48} (RFC 8215)
 * is DENIED as a whole: its translator may use any RFC 6052 §2.2 prefix length inside it, and
 * each length puts the IPv4 address elsewhere, so no reading of it here can be trusted. When an
 * allowlist admits part of it, the last 32 bits are still judged as an IPv4 address, the {@code
 * /96} layout of RFC 6052 §2.2; an operator who allow-lists a translator with a shorter prefix
 * vouches for what it reaches.
 */
public final class DestinationPolicy {
    /** Refused by default: RFC 6890 special-purpose and non-unicast-global space. */
    static final List<IpPrefix> DENIED = List.of(
            p("0.0.0.0/8"), // "this network", RFC 791
            p("10.0.0.0/8"), // private, RFC 1918
            p("100.64.0.0/10"), // CGNAT shared space, RFC 6598
            p("127.0.0.0/8"), // loopback, RFC 1122
            p("169.254.0.0/16"), // link-local, RFC 3927
            p("172.16.0.0/12"), // private, RFC 1918
            p("192.0.0.0/24"), // IETF protocol assignments, RFC 6890
            p("192.0.2.0/24"), // TEST-NET-1, RFC 5737
            p("192.88.99.0/24"), // 6to4 relay anycast, RFC 7526
            p("192.168.0.0/16"), // private, RFC 1918
            p("198.18.0.0/15"), // benchmarking, RFC 2544
            p("198.51.100.0/24"), // TEST-NET-2, RFC 5737
            p("203.0.113.0/24"), // TEST-NET-3, RFC 5737
            p("224.0.0.0/4"), // multicast, RFC 5771
            p("240.0.0.0/4"), // reserved, RFC 1112 (includes 255.255.255.255)
            p("::/128"), // unspecified, RFC 4291
            p("::1/128"), // loopback, RFC 4291
            p("64:ff9b:1::/48"), // local-use IPv4/IPv6 translation, RFC 8215 (see the class comment)
            p("100::/64"), // discard-only, RFC 6666
            p("2001::/23"), // IETF protocol assignments (Teredo, ORCHID...), RFC 2928
            p("2001:db8::/32"), // documentation, RFC 3849
            p("fc00::/7"), // unique local, RFC 4193
            p("fe80::/10"), // link-local, RFC 4291
            p("fec0::/10"), // site-local (deprecated), RFC 3879
            p("ff00::/8")); // multicast, RFC 4291

    /** Why an address was refused, as the {@code details} of {@code destination_ip_prohibited}. */
    enum Refusal {
        SPECIAL("special-purpose and not allow-listed"),
        OWN("one of the relays' own addresses"),
        LISTENER("a relay listener");

        final String text;

        Refusal(String text) {
            this.text = text;
        }
    }

    /**
     * What belongs to the relays themselves and is never a target, allowlist or not.
     *
     * @param addresses refused at every port: source addresses and pools, non-loopback listen
     *     addresses, and the ingress prefixes outside loopback (a flow into the egress itself, to
     *     a neighbour on its pool, or back to an ingress)
     * @param listeners the egress's QUIC and admin listeners: refused at their port on the
     *     address they listen on, or, for a wildcard address, on loopback and every address of
     *     {@code host} ({@code ::} also takes IPv4, {@code 0.0.0.0} only IPv4)
     * @param host the host's own addresses, refused at every port outside loopback; empty unless
     *     a listener is on a wildcard address
     */
    public record Own(List<IpPrefix> addresses, List<InetSocketAddress> listeners, HostAddresses host) {
        public Own {
            addresses = List.copyOf(addresses);
            listeners = List.copyOf(listeners);
        }

        /** Only {@code addresses}, refused at every port. */
        public static Own of(List<IpPrefix> addresses) {
            return new Own(addresses, List.of(), HostAddresses.none());
        }
    }

    private final List<AllowedDestination> allow;
    private final Own own;

    /**
     * @param allow what is admitted despite {@link #DENIED}; never a relay listener, and an
     *     address in {@code own} only by an entry with ports (one that names the service meant)
     * @param own the relays' own addresses and listeners
     */
    public DestinationPolicy(List<AllowedDestination> allow, Own own) {
        this.allow = List.copyOf(allow);
        this.own = own;
    }

    /** Prefixes admitted at every port, and addresses owned at every port (tests). */
    DestinationPolicy(List<IpPrefix> allow, List<IpPrefix> own) {
        this(allow.stream().map(AllowedDestination::anyPort).toList(), Own.of(own));
    }

    private static IpPrefix p(String s) {
        return IpPrefix.parse(s);
    }

    /** True when the egress may dial {@code port} on {@code target}. */
    public boolean permits(InetAddress target, int port) {
        return refusal(target, port) == null;
    }

    /**
     * Why the egress may not dial {@code port} on {@code target}, in words for the client (the
     * {@code details} of {@code proxy-status}), or null when it may. It names a category only,
     * never which relay address or which configured range matched.
     */
    public @Nullable String refusal(InetAddress target, int port) {
        List<InetAddress> views = views(target);
        for (int i = 0; i < views.size(); i++) {
            Refusal r = refusalOne(views.get(i), port);
            if (r != null) {
                return (i == 0 ? "the target is " : "the target embeds an IPv4 address that is ") + r.text;
            }
        }
        return null;
    }

    /**
     * The addresses of a resolved target that the egress may dial at {@code port}, in their given
     * order: each is checked against this policy, then against {@code routable} (whether a
     * source address of the right family exists for it).
     *
     * @throws RelayException {@code destination_ip_prohibited} if the policy refused an address
     *     and none is left (its details say why the first was refused), {@code
     *     destination_ip_unroutable} if none has a source address
     */
    public List<InetAddress> permitted(List<InetAddress> resolved, int port, Predicate<InetAddress> routable) {
        List<InetAddress> out = new ArrayList<>(resolved.size());
        String refused = null;
        for (InetAddress a : resolved) {
            String why = refusal(a, port);
            if (why != null) {
                if (refused == null) {
                    refused = why;
                }
            } else if (routable.test(a)) {
                out.add(a);
            }
        }
        if (out.isEmpty()) {
            throw refused != null
                    ? new RelayException(ProxyErrorType.DESTINATION_IP_PROHIBITED, Side.DOWNSTREAM, refused)
                    : new RelayException(
                            ProxyErrorType.DESTINATION_IP_UNROUTABLE,
                            Side.UPSTREAM,
                            "no source address for the target's address family");
        }
        return out;
    }

    private @Nullable Refusal refusalOne(InetAddress a, int port) {
        // The relays' own first: the allowlist overrides DENIED, never these.
        if (a.isAnyLocalAddress()) {
            return Refusal.OWN; // 0.0.0.0 and :: reach this host
        }
        for (IpPrefix p : own.addresses()) {
            if (p.contains(a)) {
                return Refusal.OWN;
            }
        }
        boolean hostAddress = own.host().contains(a);
        for (InetSocketAddress l : own.listeners()) {
            if (l.getPort() == port && listensOn(l.getAddress(), a, hostAddress)) {
                return Refusal.LISTENER;
            }
        }
        boolean ownHost = hostAddress && !a.isLoopbackAddress();
        for (AllowedDestination e : allow) {
            // Only an entry with ports names a service on an address the relays own.
            if (e.admits(a, port) && (!ownHost || !e.allPorts())) {
                return null;
            }
        }
        if (ownHost) {
            return Refusal.OWN;
        }
        for (IpPrefix p : DENIED) {
            if (p.contains(a)) {
                return Refusal.SPECIAL;
            }
        }
        return null;
    }

    /** Whether a socket bound to {@code bound} receives what is sent to {@code a}. */
    private static boolean listensOn(InetAddress bound, InetAddress a, boolean hostAddress) {
        if (bound.isAnyLocalAddress()) {
            boolean family = bound instanceof Inet6Address || a instanceof Inet4Address;
            return family && (a.isLoopbackAddress() || hostAddress);
        }
        return Arrays.equals(bound.getAddress(), a.getAddress());
    }

    /** The address itself plus any IPv4 address it embeds. */
    static List<InetAddress> views(InetAddress target) {
        List<InetAddress> out = new ArrayList<>(2);
        out.add(target);
        if (target instanceof Inet6Address) {
            byte[] b = target.getAddress();
            byte[] v4 = null;
            if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                v4 = slice(b, 12); // IPv4-mapped ::ffff:0:0/96, RFC 4291 §2.5.5.2
            } else if (isZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && isZero(b, 10, 12)) {
                v4 = slice(b, 12); // IPv4-translated ::ffff:0:0:0/96, RFC 2765 §2.1 (SIIT)
            } else if (isNat64(b) && isZero(b, 4, 12)) {
                v4 = slice(b, 12); // NAT64 well-known prefix 64:ff9b::/96, RFC 6052 §2.1
            } else if (isNat64(b) && b[4] == 0 && b[5] == 1) {
                // Local-use 64:ff9b:1::/48, RFC 8215, read in the /96 layout of RFC 6052 §2.2. It
                // is DENIED whole, so this view only matters where an allowlist admits it.
                v4 = slice(b, 12);
            } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
                v4 = new byte[] {b[2], b[3], b[4], b[5]}; // 6to4 2002::/16, RFC 3056
            } else if (isZero(b, 0, 12) && !isZero(b, 12, 16) && !(isZero(b, 12, 15) && b[15] == 1)) {
                // IPv4-compatible ::a.b.c.d (deprecated); not ::1, which is loopback itself, so
                // an allowlist that names ::1 admits it.
                v4 = slice(b, 12);
            } else if (isTeredo(b)) {
                // Teredo 2001::/32, RFC 4380 §4: the server's IPv4 in bits 32..63, the client's
                // (bits inverted) in the last 32. The prefix is DENIED; both views matter where an
                // allowlist admits it.
                addView(out, slice(b, 4));
                v4 = new byte[] {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]};
            } else if ((b[8] & 0xfd) == 0 && b[9] == 0 && (b[10] & 0xff) == 0x5e && (b[11] & 0xff) == 0xfe) {
                // ISATAP interface identifier [02]00:5efe:a.b.c.d under any /64, RFC 5214 §6.1.
                v4 = slice(b, 12);
            }
            if (v4 != null) {
                try {
                    out.add(InetAddress.getByAddress(v4));
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    private static void addView(List<InetAddress> out, byte[] v4) {
        try {
            out.add(InetAddress.getByAddress(v4));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether {@code b} is in 2001:0000::/32, Teredo (RFC 4380 §2.6). */
    private static boolean isTeredo(byte[] b) {
        return b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0;
    }

    /** Whether {@code b} starts with 64:ff9b, the prefix RFC 6052 and RFC 8215 translate in. */
    private static boolean isNat64(byte[] b) {
        return b[0] == 0x00 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] b, int from) {
        byte[] out = new byte[4];
        System.arraycopy(b, from, out, 0, 4);
        return out;
    }
}
