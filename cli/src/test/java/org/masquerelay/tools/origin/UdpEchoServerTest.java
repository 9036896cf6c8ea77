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

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UdpEchoServerTest {

    private UdpEchoServer server;

    @BeforeEach
    void start() throws Exception {
        server = new UdpEchoServer(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void echoesEachDatagramWholeToItsSender() throws Exception {
        int[] sizes = {1, 1200, 1452, 9000, 60_000};
        Random random = new Random(3);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5_000);
            for (int size : sizes) {
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                socket.send(new DatagramPacket(payload, size, server.localAddress()));
                DatagramPacket reply = new DatagramPacket(new byte[65_536], 65_536);
                socket.receive(reply);
                assertThat(reply.getSocketAddress()).isEqualTo(server.localAddress());
                assertThat(Arrays.copyOf(reply.getData(), reply.getLength()))
                        .as("size %d", size)
                        .isEqualTo(payload);
            }
            assertThat(server.received()).isEqualTo(sizes.length);
            assertThat(server.peers()).hasSize(sizes.length).containsOnly((InetSocketAddress)
                    socket.getLocalSocketAddress());
        }
    }

    @Test
    void emptyDatagramIsCountedButNotEchoed() throws Exception {
        // Netty's datagram channels skip zero-length writes, so an empty payload cannot be echoed.
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5_000);
            socket.send(new DatagramPacket(new byte[0], 0, server.localAddress()));
            socket.send(new DatagramPacket(new byte[] {9}, 1, server.localAddress()));
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            socket.receive(reply);
            assertThat(reply.getLength()).isEqualTo(1);
            assertThat(server.received()).isEqualTo(2);
        }
    }

    @Test
    void repliesGoToTheirOwnSender() throws Exception {
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            a.setSoTimeout(5_000);
            b.setSoTimeout(5_000);
            a.send(new DatagramPacket(new byte[] {'a'}, 1, server.localAddress()));
            b.send(new DatagramPacket(new byte[] {'b'}, 1, server.localAddress()));
            DatagramPacket replyA = new DatagramPacket(new byte[16], 16);
            DatagramPacket replyB = new DatagramPacket(new byte[16], 16);
            a.receive(replyA);
            b.receive(replyB);
            assertThat(replyA.getData()[0]).isEqualTo((byte) 'a');
            assertThat(replyB.getData()[0]).isEqualTo((byte) 'b');
            assertThat(server.peers())
                    .containsExactlyInAnyOrder((InetSocketAddress) a.getLocalSocketAddress(), (InetSocketAddress)
                            b.getLocalSocketAddress());
        }
    }
}
