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
package org.masquerelay.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

/**
 * In a process that took its sockets over from a running one ({@link SocketHandover}), in front
 * of the QUIC codec of one socket: sends the packets of the old process's connections back to it,
 * as long as it is there (docs/architecture.md §7.1).
 *
 * <p>A packet belongs to the old process when its destination connection ID says so
 * ({@link ConnectionIdGeneration}):
 *
 * <ul>
 *   <li>a short header whose ID does not carry this process's generation: every ID this process
 *       answers to carries it, so anything else is the old one's, including its QUIC-forwarding
 *       virtual IDs (docs/quic-forwarding.md), which the forwarding filter in front of this
 *       handler did not recognise;
 *   <li>a long header whose ID carries the old generation: a handshake the old process was in
 *       the middle of. Any other long header, a client's first Initial above all (its ID is the
 *       client's random choice), is a new connection and stays here.
 * </ul>
 *
 * <p>A client's random first ID matches the old generation by chance once in 65,536: that client
 * lands on the draining process, gets GOAWAY and connects again.
 */
final class HandoverRouter extends ChannelInboundHandlerAdapter {
    private final int index;
    private final int mine;
    private final SocketHandover.Taken old;
    private boolean routed;

    /**
     * @param index the socket's position in the handed-over list
     * @param mine this process's generation
     */
    HandoverRouter(int index, int mine, SocketHandover.Taken old) {
        this.index = index;
        this.mine = mine;
        this.old = old;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket p && old.alive() && belongsToOld(p.content(), mine, old.generation())) {
            old.forward(index, p);
            routed = true;
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (routed) {
            routed = false;
            old.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Whether {@code packet} is for the process of generation {@code old}, not for {@code mine}. */
    static boolean belongsToOld(ByteBuf packet, int mine, int old) {
        if (!packet.isReadable()) {
            return false;
        }
        int g = ConnectionIdGeneration.of(packet);
        if (ConnectionIdGeneration.isShortHeader(packet)) {
            return g >= 0 && g != mine;
        }
        return g == old;
    }
}
