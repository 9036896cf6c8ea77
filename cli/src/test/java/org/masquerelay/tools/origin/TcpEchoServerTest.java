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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpEchoServerTest {

    private TcpEchoServer server;

    @BeforeEach
    void start() throws Exception {
        server = new TcpEchoServer(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void echoesEverythingThenHalfCloses() throws Exception {
        byte[] sent = new byte[1 << 20];
        new Random(1).nextBytes(sent);
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.connect(server.localAddress());
            // Write from another thread: the server stops reading while its echo is unread.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < sent.length; i += 8192) {
                        out.write(sent, i, Math.min(8192, sent.length - i));
                    }
                    socket.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] received = readToEof(socket.getInputStream());
            writer.get(10, TimeUnit.SECONDS);
            assertThat(received).isEqualTo(sent);
            assertThat(server.peers()).contains((InetSocketAddress) socket.getLocalSocketAddress());
        }
        await(() -> server.openConnections() == 0);
    }

    @Test
    void finWithoutDataIsAnsweredWithFin() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5_000);
            socket.connect(server.localAddress());
            socket.shutdownOutput();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        await(() -> server.openConnections() == 0);
    }

    @Test
    void countsOpenConnections() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(server.localAddress());
                // A round trip proves the server has accepted and activated the connection.
                socket.getOutputStream().write(i);
                assertThat(socket.getInputStream().read()).isEqualTo(i);
            }
            assertThat(server.openConnections()).isEqualTo(3);
            assertThat(server.peers()).hasSizeGreaterThanOrEqualTo(3);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        await(() -> server.openConnections() == 0);
    }

    @Test
    void closeDropsConnections() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5_000);
            socket.connect(server.localAddress());
            socket.getOutputStream().write(7);
            assertThat(socket.getInputStream().read()).isEqualTo(7);
            server.close();
            assertThat(server.openConnections()).isZero();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static byte[] readToEof(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in 5 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
