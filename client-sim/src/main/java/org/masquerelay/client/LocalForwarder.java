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
package org.masquerelay.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.masquerelay.protocol.tunnel.ByteStreamRelay;
import org.masquerelay.protocol.tunnel.TunnelMetrics;

/**
 * A local TCP port forwarded through both hops to one target, like {@code ssh -L}: every
 * accepted connection becomes one CONNECT stream on the shared inner connection. Local sockets
 * are NIO for correct half-close (docs/netty.md trap 7).
 */
public final class LocalForwarder implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    public LocalForwarder(MasqueClient client, InetSocketAddress listen, String host, int port) {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel local) {
                        active.incrementAndGet();
                        local.closeFuture().addListener(f -> active.decrementAndGet());
                        client.openTcp(
                                        host,
                                        port,
                                        stream -> ByteStreamRelay.start(stream, null, local, TunnelMetrics.NOOP))
                                .whenComplete((stream, err) -> {
                                    if (err != null) {
                                        failed.incrementAndGet();
                                        local.config().setOption(ChannelOption.SO_LINGER, 0);
                                        local.close();
                                    }
                                });
                    }
                })
                .bind(listen)
                .syncUninterruptibly()
                .channel();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Local connections currently open. */
    public int active() {
        return active.get();
    }

    /** Local connections whose CONNECT was refused or failed. */
    public int failed() {
        return failed.get();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
