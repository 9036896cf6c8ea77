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
package org.masquerelay.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.IoTransport;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SOCKS5 UDP ASSOCIATE (RFC 1928 §7): a UDP relay socket that takes the client's datagrams,
 * strips their {@link Socks5UdpHeader} and sends each payload through a connect-udp flow (RFC
 * 9298) to its destination, one flow per destination; datagrams coming back get the header of
 * the destination as the client named it. Datagrams with FRAG other than 0, from any address but
 * the client's, or with a bad header are dropped.
 *
 * <p>The client's IP is the one of its TCP control connection; its port is taken from its first
 * datagram. The association ends when the control connection closes ({@link #close()}), which
 * closes every flow. The socket lives on the relay connection's event loop, like the flows'
 * streams, so the whole data path runs on one thread and no field needs a lock.
 */
final class UdpAssociation extends ChannelInboundHandlerAdapter {
    /** Destinations one association may reach at once; beyond, datagrams are dropped. */
    static final int MAX_DESTINATIONS = 64;
    /** Datagrams held per destination while its flow opens. */
    static final int MAX_PENDING = 16;

    private static final Logger log = LoggerFactory.getLogger(UdpAssociation.class);

    private final UpstreamConnector.UdpSession session;
    private final InetAddress clientIp;
    private final ProxyStats stats;
    private final Map<String, Destination> destinations = new HashMap<>();
    private @Nullable InetSocketAddress client;
    private @Nullable Channel socket;
    private long dropped; // wrong sender, fragment, bad header, too many destinations, flow busy

    UdpAssociation(UpstreamConnector.UdpSession session, InetAddress clientIp, ProxyStats stats) {
        this.session = session;
        this.clientIp = clientIp;
        this.stats = stats;
    }

    /**
     * Binds the relay socket (on MasqueClient's loop, of its transport). The default 2048-byte receive buffer
     * is enough: a payload must fit one QUIC DATAGRAM frame of the inner connection anyway.
     */
    ChannelFuture bind(InetSocketAddress address) {
        ChannelFuture f = new Bootstrap()
                .group(session.eventLoop())
                .channel(IoTransport.current().datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(this)
                .bind(address);
        socket = f.channel();
        return f;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) Objects.requireNonNull(socket, "not bound").localAddress();
    }

    /** Ends the association; safe from any thread. */
    void close() {
        if (socket != null) {
            socket.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            InetSocketAddress sender = packet.sender();
            if (!sender.getAddress().equals(clientIp) || (client != null && !client.equals(sender))) {
                dropped++;
                return;
            }
            ByteBuf content = packet.content();
            Socks5UdpHeader header;
            try {
                header = Socks5UdpHeader.decode(content);
            } catch (Socks5UdpHeader.MalformedException e) {
                log.debug("socks udp: dropping a datagram: {}", e.getMessage());
                dropped++;
                return;
            }
            if (header.frag() != 0) {
                dropped++; // §7: an implementation that does not reassemble drops fragments
                return;
            }
            if (client == null) {
                client = sender;
            }
            String key = header.type().byteValue() + " " + header.host() + " " + header.port();
            Destination d = destinations.get(key);
            if (d == null) {
                if (destinations.size() >= MAX_DESTINATIONS) {
                    dropped++;
                    return;
                }
                d = new Destination(new Socks5UdpHeader(0, header.type(), header.host(), header.port()), key);
                destinations.put(key, d);
                d.open();
            }
            d.send(content.retainedSlice());
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (Destination d : destinations.values()) {
            d.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Destination d : List.copyOf(destinations.values())) {
            d.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors on an unconnected UDP socket: UDP is lossy by contract, keep going.
        log.debug("socks udp: {}", cause.toString());
    }

    /** One destination's connect-udp flow. */
    private final class Destination implements DatagramTunnelHandler.Local {
        private final Socks5UdpHeader replyHeader;
        private final String key;
        private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
        private @Nullable DatagramTunnelHandler tunnel;
        private boolean dirty;
        private boolean gone;

        Destination(Socks5UdpHeader replyHeader, String key) {
            this.replyHeader = replyHeader;
            this.key = key;
        }

        void open() {
            session.openUdp(replyHeader.host(), replyHeader.port(), this)
                    .whenComplete((t, err) -> session.eventLoop().execute(() -> opened(t, err)));
        }

        private void opened(DatagramTunnelHandler t, Throwable err) {
            if (err != null || gone || socket == null || !socket.isActive()) {
                if (err != null) {
                    log.debug(
                            "socks udp: connect-udp failed: {}",
                            ProxyErrors.unwrap(err).toString());
                }
                if (t != null) {
                    t.close();
                }
                close();
                return;
            }
            tunnel = t;
            for (ByteBuf b; (b = pending.poll()) != null; ) {
                toTunnel(t, b);
            }
            flush();
        }

        void send(ByteBuf payload) {
            if (tunnel != null) {
                toTunnel(tunnel, payload);
            } else if (pending.size() < MAX_PENDING) {
                pending.add(payload);
            } else {
                payload.release();
                dropped++;
            }
        }

        private void toTunnel(DatagramTunnelHandler t, ByteBuf payload) {
            stats.up(payload.readableBytes());
            t.sendToPeer(payload);
            dirty = true;
        }

        void flush() {
            if (dirty && tunnel != null) {
                dirty = false;
                tunnel.flush();
            }
        }

        @Override
        public void fromPeer(ByteBuf payload) {
            if (gone || client == null || socket == null || !socket.isActive()) {
                payload.release();
                return;
            }
            stats.down(payload.readableBytes());
            ByteBuf header = socket.alloc().buffer(Socks5UdpHeader.MIN_LENGTH + 256);
            replyHeader.encode(header);
            CompositeByteBuf datagram = socket.alloc().compositeBuffer(2).addComponents(true, header, payload);
            if (socket.isWritable()) {
                socket.writeAndFlush(new DatagramPacket(datagram, client), socket.voidPromise());
            } else {
                datagram.release(); // a full send buffer drops, as a congested UDP path would
                dropped++;
            }
        }

        @Override
        public void closed() {
            close();
        }

        void close() {
            if (gone) {
                return;
            }
            gone = true;
            destinations.remove(key, this);
            for (ByteBuf b; (b = pending.poll()) != null; ) {
                b.release();
            }
            if (tunnel != null) {
                tunnel.close();
            }
        }
    }
}
