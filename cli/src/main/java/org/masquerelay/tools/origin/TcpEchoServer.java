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

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP origin that echoes every byte back, the far end of CONNECT tunnels in tests and benchmarks.
 *
 * <p>It honours half-close, which a tunnel must carry end to end: when the client shuts down its
 * output, the server finishes echoing what it has read and then sends its own FIN, from the last
 * write's listener so the FIN cannot overtake data. A test that sends, shuts down output, and reads
 * to EOF therefore gets every byte back exactly when the tunnel propagates FIN both ways.
 *
 * <p>Backpressure follows Netty's {@code HexDumpProxyFrontendHandler}: {@code AUTO_READ=false}, and
 * the next read is requested only after the previous echo was written, so a client that does not
 * read cannot make the server buffer.
 *
 * <p>Always NIO: with epoll and {@code ALLOW_HALF_CLOSURE}, writing after the peer's FIN fails with
 * {@code epoll_ctl ENOENT} in Netty 4.2.18, which is exactly the case this server exists to
 * exercise.
 *
 * <p>The instance is thread-safe. {@link #close()} must not be called from one of its own event
 * loop threads.
 */
public final class TcpEchoServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpEchoServer.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final PeerLog peers = new PeerLog();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Starts the server.
     *
     * @param bindAddress address to listen on; port 0 picks a free port (see {@link #localAddress()})
     * @throws IOException if the address cannot be bound
     */
    public TcpEchoServer(InetSocketAddress bindAddress) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        this.group = OriginTransport.newGroup(Runtime.getRuntime().availableProcessors(), "tcp-echo", true);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(OriginTransport.serverSocketChannel(true))
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        peers.add(ch.remoteAddress());
                        ch.pipeline().addLast("echo", new EchoHandler(openConnections));
                    }
                });
        this.listener = OriginTransport.bind(bootstrap, bindAddress, group, "tcp echo");
    }

    /** The bound address, with the real port when constructed with port 0. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Source addresses of the last 1024 accepted connections, oldest first; a snapshot. */
    public List<InetSocketAddress> peers() {
        return peers.snapshot();
    }

    /** Connections accepted and not yet closed. */
    public int openConnections() {
        return openConnections.get();
    }

    /** Closes the listener and every connection, and waits for the event loop threads to end. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            OriginTransport.shutdown(listener, group);
        }
    }

    /** Echoes one connection. Fields are touched only by the channel's event loop. Not sharable. */
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {

        private final AtomicInteger openConnections;
        private int pendingWrites;
        private boolean inputShutdown;

        EchoHandler(AtomicInteger openConnections) {
            this.openConnections = openConnections;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            openConnections.incrementAndGet();
            ctx.fireChannelActive();
            ctx.read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            openConnections.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // The buffer's ownership passes to the write.
            pendingWrites++;
            ctx.write(msg).addListener(f -> written(ctx, f.isSuccess()));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                inputShutdown = true;
                if (pendingWrites == 0) {
                    shutdownOutput(ctx);
                } else {
                    ctx.flush();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("tcp echo: closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        private void written(ChannelHandlerContext ctx, boolean success) {
            pendingWrites--;
            if (!success) {
                ctx.close();
                return;
            }
            if (pendingWrites > 0) {
                return;
            }
            if (inputShutdown) {
                shutdownOutput(ctx);
            } else {
                ctx.read();
            }
        }

        /** Sends FIN after everything read was echoed; with both directions done, closes. */
        private static void shutdownOutput(ChannelHandlerContext ctx) {
            ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(f -> ctx.close());
        }
    }
}
