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

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.masquerelay.protocol.Gen;

/**
 * Valid target hosts in every spelling {@link HostSyntax} must accept, each with the canonical form
 * it must come out as: mixed-case DNS names (up to 63-character labels and 253 characters), dotted
 * quads, and IPv6 literals written in full, with leading zeros, with {@code ::} at any zero run,
 * with an IPv4 tail, in brackets, and IPv4-mapped.
 */
final class HostGen {

    /** A host as written and as {@link HostSyntax#canonicalize} must return it. */
    record Host(String text, String canonical) {}

    /** Characters that break host, authority and template parsers in interesting ways. */
    static final String HOSTILE_CHARS =
            "aAzZfF09-._~:[]%/?#@{}!$&'()*+,;=\"<>\\^`| \t\r\n\u0000\u007f\u00e9\u0130\u212a\uff10"
                    + "\ud83d\ude00\ud800";

    private static final String LDH = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";

    private HostGen() {}

    static Gen<Host> hosts() {
        return Gen.oneOf(dnsNames(), ipv4(), ipv6());
    }

    static Gen<Integer> ports() {
        return Gen.ints(1, 65535).withEdgeCases(List.of(1, 80, 443, 65535));
    }

    static Gen<Host> dnsNames() {
        Gen<String> label = Gen.oneOf(Gen.strings(LDH, 1, 63), Gen.strings(LDH.substring(0, 52), 1, 3))
                .map(HostGen::fixHyphens);
        Gen<String> names = Gen.lists(label, 1, 5).map(labels -> {
            String last = labels.get(labels.size() - 1);
            if (last.chars().allMatch(Character::isDigit)) {
                // An all-numeric last label is read as IPv4 (RFC 3696 §2).
                labels.set(labels.size() - 1, last.substring(1) + "a");
            }
            String name = String.join(".", labels);
            while (name.length() > HostSyntax.MAX_HOST_LENGTH) {
                name = name.substring(name.indexOf('.') + 1);
            }
            return name;
        });
        // Four labels, three of the longest, make the longest name: 63 + 1 + 63 + 1 + 63 + 1 + 61.
        String longest = "X".repeat(63) + "." + "y".repeat(63) + "." + "z".repeat(63) + "." + "w".repeat(61);
        return Gen.oneOf(names, names, names, names, names, Gen.constant(longest))
                .flatMap(name -> random -> {
                    String text = random.nextInt(8) == 0 && name.length() < HostSyntax.MAX_HOST_LENGTH
                            ? name + "." // rooted
                            : name;
                    return new Host(text, text.toLowerCase(Locale.ROOT));
                });
    }

    static Gen<Host> ipv4() {
        return Gen.lists(Gen.ints(0, 255), 4, 4).map(o -> {
            String text = o.get(0) + "." + o.get(1) + "." + o.get(2) + "." + o.get(3);
            return new Host(text, text);
        });
    }

    static Gen<Host> ipv6() {
        Gen<Integer> group = Gen.oneOf(Gen.constant(0), Gen.constant(0), Gen.ints(0, 0xFFFF), Gen.ints(0, 0xFF));
        Gen<int[]> groups = Gen.oneOf(
                Gen.lists(group, 8, 8)
                        .map(g -> g.stream().mapToInt(Integer::intValue).toArray()),
                // IPv4-mapped, ::ffff:a.b.c.d (RFC 5952 §5)
                Gen.lists(Gen.ints(0, 0xFFFF), 2, 2).map(t -> new int[] {0, 0, 0, 0, 0, 0xFFFF, t.get(0), t.get(1)}));
        return groups.flatMap(g -> random -> new Host(spell(g, random), canonicalIpv6(g)));
    }

    /** Writes {@code groups} the way RFC 4291 §2.2 allows, choosing the spelling at random. */
    private static String spell(int[] groups, SplittableRandom random) {
        boolean v4Tail = random.nextInt(4) == 0;
        int fields = v4Tail ? 6 : 8;
        String[] text = new String[fields];
        for (int i = 0; i < fields; i++) {
            String hex = Integer.toHexString(groups[i]);
            if (random.nextBoolean()) {
                hex = "0".repeat(random.nextInt(4 - hex.length() + 1)) + hex;
            }
            text[i] = random.nextBoolean() ? hex.toUpperCase(Locale.ROOT) : hex;
        }
        // Compress one run of zero groups, of any length, with "::" half of the time.
        int from = -1;
        int to = -1;
        if (random.nextBoolean()) {
            int start = random.nextInt(fields);
            if (groups[start] == 0) {
                from = start;
                to = start;
                while (to + 1 < fields && groups[to + 1] == 0 && random.nextInt(4) != 0) {
                    to++;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields; i++) {
            if (i == from) {
                sb.append("::");
                i = to;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(text[i]);
        }
        if (v4Tail) {
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(groups[6] >>> 8).append('.').append(groups[6] & 0xFF).append('.');
            sb.append(groups[7] >>> 8).append('.').append(groups[7] & 0xFF);
        }
        String address = sb.toString();
        return random.nextInt(5) == 0 ? "[" + address + "]" : address;
    }

    /** RFC 5952 §4: lower case, no leading zeros, "::" for the first longest run of 2+ zeros. */
    static String canonicalIpv6(int[] g) {
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF) {
            return "::ffff:" + (g[6] >>> 8) + "." + (g[6] & 0xFF) + "." + (g[7] >>> 8) + "." + (g[7] & 0xFF);
        }
        int bestFrom = 0;
        int bestLength = 0;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestFrom = i;
                bestLength = j - i;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (bestLength >= 2 && i == bestFrom) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            sb.append(Integer.toHexString(g[i])).append(i < 7 ? ":" : "");
        }
        return sb.toString();
    }

    /** Replaces a leading or trailing hyphen of each label, which LDH forbids. */
    private static String fixHyphens(String name) {
        return name.replaceAll("(^|\\.)-", "$1a").replaceAll("-($|\\.)", "a$1");
    }
}
