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
package org.masquerelay.ingress.forwarding;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;
import org.masquerelay.protocol.quicproxy.QuicPackets;

/**
 * In front of the QUIC codec on every listening socket: takes forwarded-mode packets (a short
 * header whose destination ID is a target virtual ID this ingress issued) off the socket and hands
 * them to their tunnel, before the codec sees them (draft-ietf-masque-quic-proxy §7.1). Everything
 * else, long headers included, goes on to the codec untouched.
 *
 * <p>A packet whose virtual ID is known but which comes from another address and port than the
 * client that registered it is dropped and counted: forwarded mode must not let anyone else
 * inject into, or reflect through, someone's tunnel. Shared by all sockets; the tunnels touched in
 * one read batch are flushed at its end, per thread.
 */
@ChannelHandler.Sharable
final class ForwardedPacketFilter extends ChannelInboundHandlerAdapter {
    private static final FastThreadLocal<List<ForwardingSession>> TOUCHED = new FastThreadLocal<>() {
        @Override
        protected List<ForwardingSession> initialValue() {
            return new ArrayList<>();
        }
    };

    private final ForwardingTable table;
    private final ForwardingMetrics metrics;

    ForwardedPacketFilter(ForwardingTable table, ForwardingMetrics metrics) {
        this.table = table;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet && !table.isEmpty()) {
            ByteBuf content = packet.content();
            if (QuicPackets.isShortHeader(content)) {
                ForwardingTable.Route route = table.lookup(content);
                if (route != null) {
                    if (!route.client().equals(packet.sender())) {
                        metrics.dropped("unregistered_address");
                        packet.release();
                        return;
                    }
                    if (route.session().fromClient(route, content)) {
                        List<ForwardingSession> touched = TOUCHED.get();
                        if (!touched.contains(route.session())) {
                            touched.add(route.session());
                        }
                    }
                    return;
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        List<ForwardingSession> touched = TOUCHED.get();
        if (!touched.isEmpty()) {
            for (ForwardingSession s : touched) {
                s.flushToEgress();
            }
            touched.clear();
        }
        ctx.fireChannelReadComplete();
    }
}
