package org.masquerelay.egress.downstream;

import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.AttributeKey;
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

    private final EgressContext context;
    private final RelayConnections connections;

    public EgressConnectionInitializer(EgressContext context, RelayConnections connections) {
        this.context = context;
        this.connections = connections;
    }

    @Override
    protected void initChannel(QuicChannel ch) {
        ch.attr(CONNECTION_KEY).set(AddressSelector.newConnectionKey());
        connections.accept(ch, EgressRequestHandler.NAME, () -> new EgressRequestHandler(context));
    }
}
