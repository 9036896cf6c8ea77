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
package org.masquerelay.ingress.forwarding;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Every target virtual connection ID this ingress handed out, over all listening sockets: what the
 * forwarded-packet filter looks a short header's destination ID up in. The ingress chooses the
 * virtual IDs, random and at least 8 bytes, so it can keep them unique (draft-ietf-masque-quic-proxy
 * §3.2); a lookup tries each length in use, which in practice is one.
 */
final class ForwardingTable {
    /** Where a forwarded packet from a client goes. */
    record Route(InetSocketAddress client, ForwardingSession session, byte[] vcid, byte[] cid) {}

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Key[" + bytes.length + " bytes]";
        }
    }

    private final ConcurrentHashMap<Key, Route> routes = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Integer> lengths = new CopyOnWriteArrayList<>();

    /** Adds {@code route} under its virtual ID; false if that ID is taken. */
    boolean add(Route route) {
        if (routes.putIfAbsent(new Key(route.vcid()), route) != null) {
            return false;
        }
        lengths.addIfAbsent(route.vcid().length);
        return true;
    }

    void remove(Route route) {
        routes.remove(new Key(route.vcid()), route);
    }

    boolean isEmpty() {
        return routes.isEmpty();
    }

    int size() {
        return routes.size();
    }

    /** The route whose virtual ID begins the short header of {@code packet}, or null. */
    @Nullable
    Route lookup(ByteBuf packet) {
        int available = packet.readableBytes() - 1;
        for (int length : lengths) {
            if (length > available) {
                continue;
            }
            byte[] id = new byte[length];
            packet.getBytes(packet.readerIndex() + 1, id);
            Route r = routes.get(new Key(id));
            if (r != null) {
                return r;
            }
        }
        return null;
    }
}
