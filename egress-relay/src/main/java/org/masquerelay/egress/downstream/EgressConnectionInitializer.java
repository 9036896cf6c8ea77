package org.masquerelay.egress.downstream;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.AttributeKey;
import java.security.SecureRandom;
import org.masquerelay.protocol.tunnel.HttpDatagramDemuxHandler;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;

/**
 * Sets up one inner QUIC connection (a client, reached through an ingress): a random connection
 * key for source-address selection, the datagram demux, and the HTTP/3 server handler whose
 * request streams each get an {@link EgressRequestHandler}.
 */
public final class EgressConnectionInitializer extends ChannelInitializer<QuicChannel> {
    /**
     * Random per inner connection (DESIGN §4): picks the source address so one connection keeps
     * one address, and is derived from nothing that identifies the client.
     */
    public static final AttributeKey<Long> CONNECTION_KEY = AttributeKey.valueOf("masque.connectionKey");
    static final AttributeKey<int[]> FLOWS = AttributeKey.valueOf("masque.flows");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EgressContext context;
    private final ChannelGroup connections;

    public EgressConnectionInitializer(EgressContext context, ChannelGroup connections) {
        this.context = context;
        this.connections = connections;
    }

    @Override
    protected void initChannel(QuicChannel ch) {
        if (context.draining()) {
            ch.close(true, 0x100, ch.alloc().directBuffer(0)); // H3_NO_ERROR
            return;
        }
        ch.attr(CONNECTION_KEY).set(RANDOM.nextLong());
        ch.attr(FLOWS).set(new int[1]);
        connections.add(ch);
        context.metrics().connectionOpened();
        ch.closeFuture().addListener(f -> context.metrics().connectionClosed());
        ch.pipeline().addLast(new HttpDatagramDemuxHandler(context.metrics()));
        ch.pipeline().addLast(new Http3ServerConnectionHandler(
                new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                        stream.pipeline().addLast(EgressRequestHandler.NAME, new EgressRequestHandler(context));
                    }
                },
                new PeerSettingsHandler(), null, PeerSettingsHandler.localMasqueSettings(), true));
    }
}
