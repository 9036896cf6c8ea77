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

import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;

/**
 * Where the downstream handlers send flows: the {@link ClientPool} in production, a stand-in in
 * handler tests. Futures fail with {@code ProxyResponseException} when a relay refuses, with a
 * {@code TimeoutException} when nobody answered in time, or with the transport's error.
 */
interface UpstreamConnector {
    /**
     * Opens {@code CONNECT host:port} (RFC 9114 §4.4); {@code onOpen} runs on the stream's event
     * loop on the 2xx, before any data is read. {@code host} is passed on unresolved.
     */
    CompletableFuture<QuicStreamChannel> openTcp(String host, int port, Consumer<QuicStreamChannel> onOpen);

    /** Picks the relay connection for one UDP association; its flows share that connection. */
    UdpSession udpSession() throws Exception;

    /** The relay connection of one UDP association. */
    interface UdpSession {
        /** The connection's event loop: the association's UDP socket is registered there. */
        EventLoop eventLoop();

        /** Opens connect-udp to {@code host:port} (RFC 9298); see {@code MasqueClient#openUdp}. */
        CompletableFuture<DatagramTunnelHandler> openUdp(String host, int port, DatagramTunnelHandler.Local local);
    }
}
