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

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import org.masquerelay.config.IoTransport;

/**
 * Socket settings for every UDP socket on a relay's data path: the QUIC listeners, and the
 * per-tunnel sockets (toward the egress at the ingress, toward UDP targets at the egress), which
 * carry every packet of a tunnel at the rate of the whole connection. With Netty's defaults a fast flow overflowed the ingress's 1 MiB receive buffer
 * (the kernel's UDP receive-buffer errors in {@code masque bench}) at one {@code recvfrom} per
 * datagram.
 */
public final class UdpSockets {
    /** Room for a burst of a fast flow (docs/netty.md, the loopback ceilings). */
    static final int BUFFER_BYTES = 4 << 20;

    private UdpSockets() {}

    /**
     * 4 MiB socket buffers, and {@code recvmmsg}: up to 32 datagrams of at most 2048 bytes per
     * system call on the epoll transport; and the transport's UDP channel class ({@link IoTransport}).
     */
    public static Bootstrap tune(Bootstrap b) {
        return IoTransport.current()
                .udp(b)
                .option(ChannelOption.SO_RCVBUF, BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, BUFFER_BYTES)
                .option(
                        ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(64 * 1024).maxMessagesPerRead(32));
    }
}
