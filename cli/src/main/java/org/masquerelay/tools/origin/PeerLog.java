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
package org.masquerelay.tools.origin;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last {@value #CAPACITY} source addresses an origin saw, oldest first.
 *
 * <p>Written by event loop threads, read by test threads; every method locks the instance.
 */
final class PeerLog {

    static final int CAPACITY = 1024;

    private final ArrayDeque<InetSocketAddress> peers = new ArrayDeque<>();

    synchronized void add(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            if (peers.size() == CAPACITY) {
                peers.removeFirst();
            }
            peers.addLast(inet);
        }
    }

    synchronized List<InetSocketAddress> snapshot() {
        return List.copyOf(peers);
    }
}
