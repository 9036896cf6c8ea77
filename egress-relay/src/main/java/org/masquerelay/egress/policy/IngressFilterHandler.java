package org.masquerelay.egress.policy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.masquerelay.config.IpPrefix;

/**
 * Sits in front of the QUIC codec on the egress's UDP socket and drops every packet whose
 * source is outside the configured ingress prefixes, before quiche sees it: no Initial is
 * parsed, no Retry or version negotiation is sent, so to a scanner the port looks closed.
 */
@ChannelHandler.Sharable
public final class IngressFilterHandler extends ChannelInboundHandlerAdapter {
    private final List<IpPrefix> allowed;
    private final LongAdder dropped = new LongAdder();

    public IngressFilterHandler(List<IpPrefix> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet && !isAllowed(packet)) {
            dropped.increment();
            packet.release();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean isAllowed(DatagramPacket packet) {
        var sender = packet.sender().getAddress();
        for (IpPrefix p : allowed) {
            if (p.contains(sender)) {
                return true;
            }
        }
        return false;
    }

    public long dropped() {
        return dropped.sum();
    }
}
