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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.masquerelay.sim.LinkProfile;

/**
 * The direct arm's TCP path through the same access-link profile: delay, jitter and rate per
 * chunk, order kept. TCP recovers loss itself, so this shim does not drop; the direct arm's
 * loss is therefore measured on UDP only (docs/simulator.md).
 */
final class TcpShim implements AutoCloseable {
    private final ServerSocket listen;
    private final InetSocketAddress target;
    private final LinkProfile.Hop hop;
    private volatile boolean open = true;
    private long seed;

    TcpShim(InetSocketAddress target, LinkProfile.Hop hop, long seed) throws IOException {
        this.target = target;
        this.hop = hop;
        this.seed = seed;
        listen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-shim-accept");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listen.getLocalSocketAddress();
    }

    private void accept() {
        while (open) {
            try {
                Socket in = listen.accept();
                Socket out = new Socket(target.getAddress(), target.getPort());
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                pump(in, out, new Impairment(hop, seed++));
                pump(out, in, new Impairment(hop, seed++));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, Impairment imp) {
        // one thread per direction, so the scheduled writes keep the byte order
        ScheduledExecutorService queue = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread w = new Thread(r, "tcp-shim-write");
            w.setDaemon(true);
            return w;
        });
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    long last = 0;
                    try (InputStream in = from.getInputStream()) {
                        OutputStream out = to.getOutputStream();
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            byte[] chunk = Arrays.copyOf(buf, n);
                            long now = System.nanoTime();
                            long at = Math.max(last, imp.deliverAt(n, now, true));
                            last = at;
                            queue.schedule(
                                    () -> {
                                        try {
                                            out.write(chunk);
                                            out.flush();
                                        } catch (IOException e) {
                                            // the peer went away; the reader sees it too
                                        }
                                    },
                                    Math.max(0, at - now),
                                    TimeUnit.NANOSECONDS);
                        }
                    } catch (IOException e) {
                        // closed
                    }
                    long wait = Math.max(0, last - System.nanoTime());
                    queue.schedule(
                            () -> {
                                try {
                                    to.shutdownOutput();
                                } catch (IOException e) {
                                    // already closed
                                }
                                queue.shutdown();
                            },
                            wait + 1_000_000,
                            TimeUnit.NANOSECONDS);
                },
                "tcp-shim-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        open = false;
        listen.close();
    }
}
