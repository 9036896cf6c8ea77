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
package org.masquerelay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.kqueue.KQueue;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IoTransportTest {
    private final @Nullable String saved = System.getProperty(IoTransport.PROPERTY);

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(IoTransport.PROPERTY);
        } else {
            System.setProperty(IoTransport.PROPERTY, saved);
        }
    }

    @Test
    void autoPrefersEpollThenKqueueThenNio() {
        System.setProperty(IoTransport.PROPERTY, "auto");
        IoTransport expected =
                Epoll.isAvailable() ? IoTransport.EPOLL : KQueue.isAvailable() ? IoTransport.KQUEUE : IoTransport.NIO;
        assertThat(IoTransport.current()).isEqualTo(expected);
        if (System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")) {
            // The build ships epoll for Linux on x86-64 and aarch64; anything else here is a packaging bug.
            assertThat(IoTransport.current()).isEqualTo(IoTransport.EPOLL);
        }
        System.clearProperty(IoTransport.PROPERTY);
        assertThat(IoTransport.current()).isEqualTo(expected);
    }

    @Test
    void aTransportThatDoesNotLoadIsRefusedInPlainWords() {
        String absent = Epoll.isAvailable() ? "kqueue" : "epoll";
        System.setProperty(IoTransport.PROPERTY, absent);
        assertThatThrownBy(IoTransport::current)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        "masque.io=" + absent + ", but the " + absent + " transport does not load here (")
                .hasMessageEndingWith("); use masque.io=auto or nio");
        System.setProperty(IoTransport.PROPERTY, "io_uring");
        assertThatThrownBy(IoTransport::current)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("masque.io must be auto, epoll, kqueue or nio, not 'io_uring'");
        System.setProperty(IoTransport.PROPERTY, " NIO ");
        assertThat(IoTransport.current()).isEqualTo(IoTransport.NIO);
    }

    /** Each transport's loops, UDP channel and TCP listener belong together: a mismatch fails to register. */
    @ParameterizedTest
    @EnumSource(IoTransport.class)
    void eachTransportBindsUdpAndTcpOnItsOwnLoops(IoTransport io) throws Exception {
        boolean loads = io == IoTransport.NIO
                || (io == IoTransport.EPOLL && Epoll.isAvailable())
                || (io == IoTransport.KQUEUE && KQueue.isAvailable());
        if (!loads) {
            return; // the other OS's transport: nothing to bind here
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io.handlerFactory());
        try {
            InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
            Channel udp = io.udp(new Bootstrap())
                    .group(group)
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(any)
                    .sync()
                    .channel();
            Channel tcp = new ServerBootstrap()
                    .group(group)
                    .channel(io.serverSocketChannel())
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(any)
                    .sync()
                    .channel();
            assertThat(udp.isActive()).isTrue();
            assertThat(tcp.isActive()).isTrue();
            assertThat(io.reusePort()).isEqualTo(io == IoTransport.EPOLL);
            udp.close().sync();
            tcp.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
