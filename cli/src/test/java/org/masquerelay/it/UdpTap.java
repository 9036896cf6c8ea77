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
import java.util.ArrayList;
import java.util.List;

/**
 * A packet capture that sits on the path: a UDP relay between one peer and {@code target} that
 * records every payload it passes, with its direction and sender. Tests put one on each side of
 * the ingress to see what an observer of that link sees. One peer at a time; blocking sockets and
 * two threads, which is plenty for a test transfer.
 */
final class UdpTap implements AutoCloseable {
    /** One payload as it crossed the tap. */
    record Packet(boolean fromPeer, SocketAddress sender, byte[] bytes) {}

    private final DatagramSocket front;
    private final DatagramSocket back;
    private final List<Packet> packets = new ArrayList<>();
    private volatile SocketAddress peer;
    private final Thread up;
    private final Thread down;

    UdpTap(InetSocketAddress listen, InetSocketAddress target) throws SocketException {
        front = new DatagramSocket(listen);
        back = new DatagramSocket(new InetSocketAddress(listen.getAddress(), 0));
        back.connect(target);
        front.setReceiveBufferSize(4 << 20);
        back.setReceiveBufferSize(4 << 20);
        up = new Thread(() -> pump(true), "tap-up");
        down = new Thread(() -> pump(false), "tap-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** The tap's own address toward the target: what the target sees as the sender. */
    InetSocketAddress backAddress() {
        return (InetSocketAddress) back.getLocalSocketAddress();
    }

    private void pump(boolean fromPeer) {
        byte[] buf = new byte[65536];
        DatagramSocket in = fromPeer ? front : back;
        try {
            while (!in.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                in.receive(p);
                byte[] bytes = java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
                synchronized (packets) {
                    packets.add(new Packet(fromPeer, p.getSocketAddress(), bytes));
                }
                if (fromPeer) {
                    peer = p.getSocketAddress();
                    back.send(new DatagramPacket(bytes, bytes.length));
                } else if (peer != null) {
                    front.send(new DatagramPacket(bytes, bytes.length, peer));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** What passed so far in one direction: {@code fromPeer} is toward the target. */
    List<Packet> packets(boolean fromPeer) {
        synchronized (packets) {
            return packets.stream().filter(p -> p.fromPeer() == fromPeer).toList();
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
