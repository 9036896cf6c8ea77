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
package org.masquerelay.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network path with a small MTU: a UDP relay between one peer and {@code target} that drops,
 * in both directions, every datagram whose payload exceeds {@code maxPayload} bytes, as a router
 * whose next link is too small drops a packet it may not fragment (RFC 8899 §1). It sends no
 * ICMP, so only a loss-based search (DPLPMTUD, RFC 8899 §4.3) can learn its size. One peer at a
 * time; blocking sockets and two threads.
 */
final class NarrowPath implements AutoCloseable {
    private final int maxPayload;
    private final DatagramSocket front;
    private final DatagramSocket back;
    private volatile SocketAddress peer;
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger largestPassed = new AtomicInteger();

    NarrowPath(InetSocketAddress listen, InetSocketAddress target, int maxPayload) throws SocketException {
        this.maxPayload = maxPayload;
        front = new DatagramSocket(listen);
        back = new DatagramSocket(new InetSocketAddress(listen.getAddress(), 0));
        back.connect(target);
        front.setReceiveBufferSize(4 << 20);
        back.setReceiveBufferSize(4 << 20);
        for (boolean fromPeer : new boolean[] {true, false}) {
            Thread t = new Thread(() -> pump(fromPeer), fromPeer ? "narrow-up" : "narrow-down");
            t.setDaemon(true);
            t.start();
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    private void pump(boolean fromPeer) {
        byte[] buf = new byte[65536];
        DatagramSocket in = fromPeer ? front : back;
        try {
            while (!in.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                in.receive(p);
                if (fromPeer) {
                    peer = p.getSocketAddress();
                }
                if (p.getLength() > maxPayload) {
                    dropped.incrementAndGet();
                    continue;
                }
                passed.incrementAndGet();
                largestPassed.accumulateAndGet(p.getLength(), Math::max);
                if (fromPeer) {
                    back.send(new DatagramPacket(buf, p.getLength()));
                } else if (peer != null) {
                    front.send(new DatagramPacket(buf, p.getLength(), peer));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Datagrams dropped for their size, both directions. */
    long dropped() {
        return dropped.get();
    }

    long passed() {
        return passed.get();
    }

    /** The largest payload that crossed, either direction. */
    int largestPassed() {
        return largestPassed.get();
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
