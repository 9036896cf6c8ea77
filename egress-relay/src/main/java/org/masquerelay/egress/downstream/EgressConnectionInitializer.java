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
package org.masquerelay.egress.downstream;

import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.AttributeKey;
import java.util.function.Supplier;
import org.masquerelay.pool.AddressSelector;
import org.masquerelay.server.RelayConnections;

/**
 * Sets up one inner QUIC connection (a client, reached through an ingress): a random connection
 * key for source-address selection, then {@link RelayConnections#accept} with an
 * {@link EgressRequestHandler} per request stream.
 */
public final class EgressConnectionInitializer extends ChannelInitializer<QuicChannel> {
    /**
     * Random per inner connection (docs/architecture.md §4): picks the source address so one connection keeps
     * one address, and is derived from nothing that identifies the client.
     */
    public static final AttributeKey<byte[]> CONNECTION_KEY = AttributeKey.valueOf("masque.connectionKey");

    private final Supplier<EgressContext> context;
    private final RelayConnections connections;

    /** @param context the settings of new flows, read per request: a reload replaces them */
    public EgressConnectionInitializer(Supplier<EgressContext> context, RelayConnections connections) {
        this.context = context;
        this.connections = connections;
    }

    @Override
    protected void initChannel(QuicChannel ch) {
        ch.attr(CONNECTION_KEY).set(AddressSelector.newConnectionKey());
        connections.accept(ch, EgressRequestHandler.NAME, () -> new EgressRequestHandler(context.get()));
    }
}
