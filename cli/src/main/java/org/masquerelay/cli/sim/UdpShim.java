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
package org.masquerelay.cli.sim;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.masquerelay.sim.LinkProfile;

/**
 * An in-process UDP impairment shim for unprivileged runs: it listens on loopback and forwards
 * each peer's datagrams to {@code target} from a socket of that peer's own, both directions
 * impaired by the hop's profile. Traffic goes to loopback only.
 */
final class UdpShim implements AutoCloseable {
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramSocket listen;
    private final InetSocketAddress target;
    private final Impairment up;
    private final Impairment down;
    private final ScheduledExecutorService upQueue =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "shim-up"));
    private final ScheduledExecutorService downQueue =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "shim-down"));
    private final Map<SocketAddress, DatagramSocket> sessions = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean open = true;

    UdpShim(InetSocketAddress target, LinkProfile.Hop hop, long seed) throws IOException {
        this.target = target;
        this.listen = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.listen.setReceiveBufferSize(1 << 22);
        this.up = new Impairment(hop, seed);
        this.down = new Impairment(hop, seed + 1);
        daemon(this::fromPeers, "shim-listen").start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listen.getLocalSocketAddress();
    }

    long dropped() {
        return dropped.get();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void fromPeers() {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (open) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                listen.receive(p);
            } catch (IOException e) {
                return;
            }
            SocketAddress peer = p.getSocketAddress();
            DatagramSocket session = sessions.computeIfAbsent(peer, this::openSession);
            byte[] data = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
            forward(up, upQueue, () -> session.send(new DatagramPacket(data, data.length, target)), data.length);
        }
    }

    private DatagramSocket openSession(SocketAddress peer) {
        try {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            s.setReceiveBufferSize(1 << 22);
            daemon(() -> fromTarget(s, peer), "shim-session").start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("shim: no socket for a new peer: " + e.getMessage(), e);
        }
    }

    private void fromTarget(DatagramSocket s, SocketAddress peer) {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (open) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (IOException e) {
                return;
            }
            byte[] data = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
            forward(down, downQueue, () -> listen.send(new DatagramPacket(data, data.length, peer)), data.length);
        }
    }

    /** A send that may fail. */
    interface Send {
        void run() throws IOException;
    }

    private void forward(Impairment imp, ScheduledExecutorService queue, Send send, int bytes) {
        long now = System.nanoTime();
        long at = imp.deliverAt(bytes, now, false);
        if (at < 0) {
            dropped.incrementAndGet();
            return;
        }
        Runnable task = () -> {
            try {
                send.run();
            } catch (IOException e) {
                dropped.incrementAndGet();
            }
        };
        if (at <= now) {
            queue.execute(task);
        } else {
            queue.schedule(task, at - now, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        open = false;
        listen.close();
        sessions.values().forEach(DatagramSocket::close);
        upQueue.shutdownNow();
        downQueue.shutdownNow();
    }
}
