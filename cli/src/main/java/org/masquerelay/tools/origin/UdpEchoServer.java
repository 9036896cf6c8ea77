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

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP origin that sends every datagram back to its sender, the far end of connect-udp (RFC 9298)
 * tunnels in tests and benchmarks, and of the nested QUIC connection's path checks.
 *
 * <p>Datagrams up to 65,536 bytes are echoed whole (Netty's default would truncate at 2,048). When
 * the socket's send buffer is full the datagram is dropped rather than queued, as a real UDP
 * service would, so a flood cannot grow the heap. An empty datagram is counted but not echoed:
 * Netty's datagram channels skip zero-length writes.
 *
 * <p>The instance is thread-safe. {@link #close()} must not be called from its own event loop
 * thread.
 */
public final class UdpEchoServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UdpEchoServer.class);

    /** Large enough for any UDP payload over IPv4 or IPv6 without jumbograms. */
    private static final int MAX_DATAGRAM = 65_536;

    private final EventLoopGroup group;
    private final Channel channel;
    private final PeerLog peers = new PeerLog();
    private final LongAdder received = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Starts the server.
     *
     * @param bindAddress address to listen on; port 0 picks a free port (see {@link #localAddress()})
     * @throws IOException if the address cannot be bound
     */
    public UdpEchoServer(InetSocketAddress bindAddress) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        // One socket is served by one thread (docs/netty.md trap 8), so more would idle.
        this.group = OriginTransport.newGroup(1, "udp-echo", false);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(OriginTransport.datagramChannel())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(new EchoHandler(peers, received));
        this.channel = OriginTransport.bind(bootstrap, bindAddress, group, "udp echo");
    }

    /** The bound address, with the real port when constructed with port 0. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Senders of the last 1024 datagrams received, oldest first; a snapshot. */
    public List<InetSocketAddress> peers() {
        return peers.snapshot();
    }

    /** Datagrams received since start, whether or not their echo could be sent. */
    public long received() {
        return received.sum();
    }

    /** Closes the socket and waits for the event loop thread to end. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            OriginTransport.shutdown(channel, group);
        }
    }

    /** Echoes datagrams on the one channel it is added to. Runs on that channel's event loop. */
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {

        private final PeerLog peers;
        private final LongAdder received;

        EchoHandler(PeerLog peers, LongAdder received) {
            this.peers = peers;
            this.received = received;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DatagramPacket packet)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            received.increment();
            peers.add(packet.sender());
            if (!ctx.channel().isWritable()) {
                packet.release();
                return;
            }
            // The payload's ownership passes to the reply.
            ctx.write(new DatagramPacket(packet.content(), packet.sender()));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // An ICMP error for one sender must not stop the server for the others.
            log.debug("udp echo: {}", cause.toString());
        }
    }
}
