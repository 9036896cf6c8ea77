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
package org.masquerelay.protocol.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Joins a connected UDP socket to a {@link DatagramTunnelHandler}: datagrams the socket reads go
 * to the tunnel's peer, payloads from the peer are written to the socket. Add it to the socket's
 * pipeline (after an optional {@code IdleStateHandler}, whose event closes the tunnel) and pass
 * it as the tunnel's {@link DatagramTunnelHandler.Local}. The socket must be registered on the
 * stream's event loop, so the data path stays on one thread.
 *
 * <p>The socket is connected, so the kernel drops datagrams from any other sender. A full send
 * buffer drops the datagram and counts it, as a congested UDP path would.
 */
public final class UdpSocketBridge extends ChannelInboundHandlerAdapter implements DatagramTunnelHandler.Local {
    /**
     * Takes datagrams from the socket's peer that should not go back through the tunnel: the
     * ingress's forwarded mode (docs/quic-forwarding.md) sends them to the client itself. Called
     * on the socket's event loop.
     */
    public interface Diverter {
        /** Returns true if it took {@code payload} (and owns it); false leaves it to the tunnel. */
        boolean divert(ByteBuf payload);

        /** The end of a read batch: flush what {@link #divert} wrote. */
        void flush();
    }

    private final TunnelMetrics metrics;
    private @Nullable Diverter diverter;
    private @Nullable DatagramTunnelHandler tunnel;
    private @Nullable Channel socket;

    public UdpSocketBridge(TunnelMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * A bridge already joined to a new tunnel on {@code stream}: the relays' connect-udp case.
     * Register the socket with {@link #bootstrap}, connect it, then {@link #attach} the tunnel.
     */
    public static UdpSocketBridge forStream(Channel stream, TunnelMetrics metrics) {
        UdpSocketBridge bridge = new UdpSocketBridge(metrics);
        bridge.tunnel(new DatagramTunnelHandler(stream, bridge, metrics));
        return bridge;
    }

    /**
     * An unregistered bootstrap for the tunnel's UDP socket, on the stream's event loop so the
     * data path stays on one thread; {@code idleTimeout} without a datagram either way closes
     * the tunnel. The caller binds or connects it.
     */
    public Bootstrap bootstrap(Class<? extends Channel> datagramChannelType, Duration idleTimeout) {
        UdpSocketBridge bridge = this;
        return new Bootstrap()
                .group(tunnel().stream().eventLoop())
                .channel(datagramChannelType)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(32))
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(bridge);
                    }
                });
    }

    /**
     * Hands the stream to the tunnel once its socket is connected and the 2xx is written:
     * {@code requestHandler} (the handler that read the request) is replaced by the tunnel.
     */
    public void attach(ChannelHandlerContext requestHandler) {
        requestHandler.pipeline().replace(requestHandler.handler(), "tunnel", tunnel());
    }

    /** Sends datagrams that {@code diverter} takes past the tunnel; call before the socket is registered. */
    public void diverter(Diverter diverter) {
        this.diverter = diverter;
    }

    /** The tunnel this bridge feeds. */
    public DatagramTunnelHandler tunnelHandler() {
        return tunnel();
    }

    /** Must be called before the socket is registered. */
    public void tunnel(DatagramTunnelHandler tunnel) {
        this.tunnel = tunnel;
    }

    private DatagramTunnelHandler tunnel() {
        DatagramTunnelHandler t = tunnel;
        if (t == null) {
            throw new IllegalStateException("tunnel(DatagramTunnelHandler) was not called");
        }
        return t;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        socket = ctx.channel();
    }

    @Override
    public void fromPeer(ByteBuf payload) {
        Channel s = socket;
        if (s != null && s.isActive() && s.isWritable()) {
            s.writeAndFlush(payload, s.voidPromise());
        } else {
            payload.release();
            metrics.datagramDropped("upstream_busy");
        }
    }

    @Override
    public void closed() {
        if (socket != null) {
            socket.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf payload = msg instanceof DatagramPacket packet ? packet.content() : msg instanceof ByteBuf b ? b : null;
        if (payload != null) {
            Diverter d = diverter;
            if (d == null || !d.divert(payload)) {
                tunnel().sendToPeer(payload);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Diverter d = diverter;
        if (d != null) {
            d.flush();
        }
        tunnel().flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        tunnel().close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable surfaces as a read error on a connected socket. UDP is lossy by
        // contract: keep the tunnel and let the idle timer decide.
    }
}
