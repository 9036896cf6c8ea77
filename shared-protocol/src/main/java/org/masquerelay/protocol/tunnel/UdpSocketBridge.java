package org.masquerelay.protocol.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

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
    private final TunnelMetrics metrics;
    private DatagramTunnelHandler tunnel;
    private Channel socket;

    public UdpSocketBridge(TunnelMetrics metrics) {
        this.metrics = metrics;
    }

    /** Must be called before the socket is registered. */
    public void tunnel(DatagramTunnelHandler tunnel) {
        this.tunnel = tunnel;
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
        if (msg instanceof DatagramPacket packet) {
            tunnel.sendToPeer(packet.content());
        } else if (msg instanceof ByteBuf buf) {
            tunnel.sendToPeer(buf);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        tunnel.flush();
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
        tunnel.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable surfaces as a read error on a connected socket. UDP is lossy by
        // contract: keep the tunnel and let the idle timer decide.
    }
}
