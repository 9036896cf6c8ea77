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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.masquerelay.config.IpPrefix;

/**
 * A test-only writer of MaxMind DB files, written from the published format specification
 * (MaxMind DB File Format Specification v2.0, maxmind.github.io/MaxMind-DB), so that
 * {@link MaxMindGeoDatabase} is tested through MaxMind's own reader against a real file rather
 * than a mock, without shipping anybody's data.
 *
 * <p>It writes an IPv6 tree (ip_version 6) with 24-bit records. IPv4 networks sit at
 * {@code ::a.b.c.d/(96+len)}, where the spec says IPv4 addresses live in an IPv6 tree and where
 * readers start an IPv4 lookup. Values are inlined (no pointers, no cache container). Networks
 * must not nest: enough for a fixture.
 */
final class MmdbWriter {
    /** Unsigned integer types of the data section, distinct from the Java numbers. */
    record Uint16(int value) {}

    record Uint32(long value) {}

    record Uint64(long value) {}

    private static final byte[] METADATA_MARKER = concat(
            new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef}, "MaxMind.com".getBytes(StandardCharsets.US_ASCII));
    private static final int DATA_SECTION_SEPARATOR = 16;

    private static final class Node {
        final Object[] records = new Object[2]; // null: no data; Node: next node; Leaf: data
    }

    private record Leaf(Map<String, Object> data) {}

    private final String databaseType;
    private final Node root = new Node();

    MmdbWriter(String databaseType) {
        this.databaseType = databaseType;
    }

    MmdbWriter insert(IpPrefix network, Map<String, Object> data) {
        byte[] address = network.network().getAddress();
        int offset = address.length == 4 ? 96 : 0;
        int depth = network.length() + offset;
        if (depth == 0) {
            throw new IllegalArgumentException("::/0 cannot be a leaf");
        }
        Node node = root;
        for (int i = 0; i < depth - 1; i++) {
            int bit = bit(address, i - offset);
            Object next = node.records[bit];
            if (next instanceof Leaf) {
                throw new IllegalArgumentException(network + " nests inside another network");
            }
            if (next == null) {
                next = new Node();
                node.records[bit] = next;
            }
            node = (Node) next;
        }
        int last = bit(address, depth - 1 - offset);
        if (node.records[last] != null) {
            throw new IllegalArgumentException(network + " overlaps another network");
        }
        node.records[last] = new Leaf(data);
        return this;
    }

    /** Bit {@code i} of the address, big-endian; negative positions are the 96 zero bits before IPv4. */
    private static int bit(byte[] address, int i) {
        return i < 0 ? 0 : (address[i / 8] >> (7 - i % 8)) & 1;
    }

    void write(Path file) throws IOException {
        Files.write(file, build());
    }

    byte[] build() {
        // Number the nodes breadth-first; the root must be node 0.
        List<Node> nodes = new ArrayList<>();
        Map<Node, Integer> numbers = new IdentityHashMap<>();
        nodes.add(root);
        numbers.put(root, 0);
        for (int i = 0; i < nodes.size(); i++) {
            for (Object r : nodes.get(i).records) {
                if (r instanceof Node n) {
                    numbers.put(n, nodes.size());
                    nodes.add(n);
                }
            }
        }
        int nodeCount = nodes.size();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<Leaf, Integer> offsets = new IdentityHashMap<>();
        ByteArrayOutputStream tree = new ByteArrayOutputStream();
        for (Node n : nodes) {
            for (Object r : n.records) {
                long value;
                if (r == null) {
                    value = nodeCount; // "equal to the number of nodes": no data
                } else if (r instanceof Node child) {
                    value = numbers.get(child);
                } else {
                    Leaf leaf = (Leaf) r;
                    Integer at = offsets.get(leaf);
                    if (at == null) {
                        at = data.size();
                        offsets.put(leaf, at);
                        encode(leaf.data(), data);
                    }
                    // $data_section_offset = ($record_value - $node_count) - 16
                    value = (long) nodeCount + DATA_SECTION_SEPARATOR + at;
                }
                if (value >= 1 << 24) {
                    throw new IllegalStateException("record " + value + " does not fit 24 bits");
                }
                tree.write((int) (value >> 16));
                tree.write((int) (value >> 8));
                tree.write((int) value);
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", new Uint32(nodeCount));
        metadata.put("record_size", new Uint16(24));
        metadata.put("ip_version", new Uint16(6));
        metadata.put("database_type", databaseType);
        metadata.put("languages", List.of("en"));
        metadata.put("binary_format_major_version", new Uint16(2));
        metadata.put("binary_format_minor_version", new Uint16(0));
        metadata.put("build_epoch", new Uint64(1_700_000_000L));
        metadata.put("description", Map.of("en", "masque-relay test fixture"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(tree.toByteArray());
        out.writeBytes(new byte[DATA_SECTION_SEPARATOR]);
        out.writeBytes(data.toByteArray());
        out.writeBytes(METADATA_MARKER);
        encode(metadata, out);
        return out.toByteArray();
    }

    /** One data field: control byte (type, size), then the payload (spec: "Data Field Format"). */
    static void encode(Object value, ByteArrayOutputStream out) {
        if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            control(2, utf8.length, out);
            out.writeBytes(utf8);
        } else if (value instanceof Double d) {
            control(3, 8, out);
            long bits = Double.doubleToLongBits(d);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)));
            }
        } else if (value instanceof Uint16 u) {
            unsigned(5, u.value(), out);
        } else if (value instanceof Uint32 u) {
            unsigned(6, u.value(), out);
        } else if (value instanceof Uint64 u) {
            unsigned(9, u.value(), out);
        } else if (value instanceof Map<?, ?> m) {
            control(7, m.size(), out); // a map's size counts pairs
            for (Map.Entry<?, ?> e : m.entrySet()) {
                encode((String) e.getKey(), out);
                encode(e.getValue(), out);
            }
        } else if (value instanceof List<?> l) {
            control(11, l.size(), out);
            for (Object o : l) {
                encode(o, out);
            }
        } else {
            throw new IllegalArgumentException("no MaxMind DB type for " + value);
        }
    }

    /** Big-endian with as few bytes as the value needs; zero is zero bytes. */
    private static void unsigned(int type, long value, ByteArrayOutputStream out) {
        int n = (Long.SIZE - Long.numberOfLeadingZeros(value) + 7) / 8;
        control(type, n, out);
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    /**
     * Types 1-7 sit in the top three bits; above 7 those bits are zero and the next byte holds
     * type - 7. Sizes below 29 fit the low five bits; 29, 30 and 31 announce 1, 2 or 3 more bytes
     * holding size - 29, size - 285 or size - 65821, after any extended-type byte.
     */
    private static void control(int type, int size, ByteArrayOutputStream out) {
        int sizeBits;
        byte[] extra;
        if (size < 29) {
            sizeBits = size;
            extra = new byte[0];
        } else if (size < 285) {
            sizeBits = 29;
            extra = new byte[] {(byte) (size - 29)};
        } else if (size < 65_821) {
            sizeBits = 30;
            extra = new byte[] {(byte) ((size - 285) >> 8), (byte) (size - 285)};
        } else {
            sizeBits = 31;
            int s = size - 65_821;
            extra = new byte[] {(byte) (s >> 16), (byte) (s >> 8), (byte) s};
        }
        if (type <= 7) {
            out.write(type << 5 | sizeBits);
        } else {
            out.write(sizeBits);
            out.write(type - 7);
        }
        out.writeBytes(extra);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A City-database record as GeoIP2 lays it out. */
    static Map<String, Object> cityRecord(
            double latitude, double longitude, String country, String subdivision, String city) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("city", Map.of("names", Map.of("en", city)));
        r.put("country", Map.of("iso_code", country, "names", Map.of("en", country)));
        r.put("location", Map.of("latitude", latitude, "longitude", longitude, "accuracy_radius", new Uint16(20)));
        r.put("subdivisions", List.of(Map.of("iso_code", subdivision)));
        return r;
    }

    static InetAddress address(String literal) throws IOException {
        return InetAddress.getByAddress(IpPrefix.parseLiteral(literal));
    }
}
