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
