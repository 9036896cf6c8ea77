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
package org.masquerelay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.IoTransport;

/** The fd-passing handover on real sockets, in one process: both ends, as two processes run them. */
class SocketHandoverTest {
    @TempDir
    Path dir;

    MultiThreadIoEventLoopGroup group;
    Channel udp;
    final AtomicBoolean stopped = new AtomicBoolean();
    final AtomicBoolean handedOver = new AtomicBoolean();
    final BlockingQueue<DatagramPacket> injected = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(IoTransport.current() == IoTransport.EPOLL, "fd passing needs epoll");
        group = new MultiThreadIoEventLoopGroup(2, IoTransport.current().handlerFactory());
        udp = new Bootstrap()
                .group(group)
                .channel(EpollDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    @AfterEach
    void stop() {
        if (group != null) {
            udp.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private SocketHandover.Source source() {
        return new SocketHandover.Source() {
            @Override
            public int generation() {
                return 7;
            }

            @Override
            public List<SocketHandover.Offered> sockets() {
                return List.of(new SocketHandover.Offered(SocketHandover.Kind.QUIC_UDP, "test-quic-0", udp));
            }

            @Override
            public void stopReading() throws Exception {
                udp.eventLoop().submit(() -> udp.config().setAutoRead(false)).sync();
                stopped.set(true);
            }

            @Override
            public void resumeReading() {}

            @Override
            public void inject(int index, DatagramPacket packet) {
                injected.add(packet);
            }

            @Override
            public void handedOver() {
                handedOver.set(true);
            }
        };
    }

    @Test
    void aNewProcessTakesTheSocketAndRoutesPacketsBack() throws Exception {
        Path path = dir.resolve("h.sock");
        Channel server = SocketHandover.listen(path, group, "test", source());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                .isEqualTo("rw-------");

        // A check that refuses leaves the running side serving.
        assertThatThrownBy(() -> SocketHandover.take(path, group, h -> {
                    throw new IllegalArgumentException("wrong --threads");
                }))
                .hasMessage("wrong --threads");
        assertThat(stopped).isFalse();

        InetSocketAddress bound = (InetSocketAddress) udp.localAddress();
        SocketHandover.Taken taken = null;
        for (int attempt = 0; taken == null; attempt++) {
            try {
                taken = SocketHandover.take(path, group, h -> {
                    assertThat(h.generation()).isEqualTo(7);
                    assertThat(h.sockets())
                            .containsExactly(new SocketHandover.Described(
                                    SocketHandover.Kind.QUIC_UDP,
                                    "test-quic-0",
                                    bound.getAddress().getHostAddress() + "/" + bound.getPort()));
                });
            } catch (java.io.IOException e) {
                // the refused attempt's connection may not have ended on the running side yet
                assertThat(e).hasMessageContaining("another process is taking");
                assertThat(attempt).isLessThan(20);
                Thread.sleep(50);
            }
        }
        assertThat(stopped).isTrue();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!handedOver.get() && System.nanoTime() < end) { // runs just after STOPPED is sent
            Thread.sleep(10);
        }
        assertThat(handedOver).isTrue();
        assertThat(taken.sockets()).hasSize(1);

        // The descriptor is the same socket: what is sent to the port, the new side reads.
        EpollDatagramChannel adopted =
                new EpollDatagramChannel(taken.sockets().get(0).fd().intValue());
        SocketHandover.Taken route = taken;
        adopted.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                route.forward(0, (DatagramPacket) msg);
                route.flush();
            }
        });
        group.register(adopted).sync();
        assertThat(adopted.localAddress()).isEqualTo(bound);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] hello = "a packet for the old process".getBytes(StandardCharsets.UTF_8);
            peer.send(new java.net.DatagramPacket(hello, hello.length, bound));
            DatagramPacket back = injected.poll(5, TimeUnit.SECONDS);
            assertThat(back).as("routed back to the running side").isNotNull();
            assertThat(back.sender()).isEqualTo(peer.getLocalSocketAddress());
            assertThat(back.content().toString(StandardCharsets.UTF_8)).isEqualTo("a packet for the old process");
            back.release();
        }
        assertThat(taken.forwarded()).isEqualTo(1);
        taken.close();
        adopted.close().sync();
        server.close().sync();
        assertThat(path).as("closing the listener removes its file").doesNotExist();
    }

    @Test
    void aLiveSocketIsNotReplacedAndAStaleOneIs() throws Exception {
        Path path = dir.resolve("h.sock");
        Channel server = SocketHandover.listen(path, group, "test", source());
        assertThatThrownBy(() -> SocketHandover.listen(path, group, "test", source()))
                .hasMessageContaining("another relay listens there");
        server.close().sync();
        Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> SocketHandover.check(dir.resolve("plain")))
                .hasMessageContaining("is not a Unix socket");
        assertThatThrownBy(() -> SocketHandover.check(dir.resolve("missing/h.sock")))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> SocketHandover.take(dir.resolve("nobody.sock"), group, h -> {}))
                .hasMessageContaining("no relay listens on");
        // A socket file nobody listens on (left by a killed process) is replaced.
        try (java.nio.channels.ServerSocketChannel stale =
                java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(java.net.UnixDomainSocketAddress.of(path));
        }
        assertThat(path).exists();
        SocketHandover.listen(path, group, "test", source()).close().sync();
    }
}
