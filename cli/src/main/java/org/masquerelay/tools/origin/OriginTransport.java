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

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IoTransport;

/**
 * Takes the process's transport from {@link IoTransport} (native where it loads, so a benchmark
 * measures the relay rather than the origin), and owns the bind/shutdown steps the origins share.
 */
final class OriginTransport {

    private OriginTransport() {}

    /**
     * A new group whose threads are named after the server.
     *
     * @param nio force NIO even where a native transport loads
     */
    static EventLoopGroup newGroup(int threads, String name, boolean nio) {
        IoHandlerFactory factory =
                nio ? NioIoHandler.newFactory() : IoTransport.current().handlerFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    static Class<? extends ServerSocketChannel> serverSocketChannel(boolean nio) {
        return nio ? NioServerSocketChannel.class : IoTransport.current().serverSocketChannel();
    }

    static Class<? extends DatagramChannel> datagramChannel() {
        return IoTransport.current().datagramChannel();
    }

    /** Binds, or shuts the group down and reports why the address could not be bound. */
    static Channel bind(AbstractBootstrap<?, ?> bootstrap, InetSocketAddress address, EventLoopGroup group, String what)
            throws IOException {
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (bound.isSuccess()) {
            return bound.channel();
        }
        shutdown(null, group);
        Throwable cause = bound.cause();
        throw new IOException(what + ": cannot bind " + address + ": " + cause.getMessage(), cause);
    }

    /**
     * Closes the listening channel, then shuts the group down (which closes every accepted channel)
     * and waits for its threads to finish. Must not run on one of the group's threads.
     */
    static void shutdown(@Nullable Channel listener, EventLoopGroup group) {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
