package org.masquerelay.ingress.downstream;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import org.masquerelay.protocol.tunnel.HttpDatagramDemuxHandler;
import org.masquerelay.protocol.tunnel.PeerSettingsHandler;

/**
 * Sets up one client QUIC connection: the HTTP Datagram demultiplexer, then the HTTP/3 server
 * handler with MASQUE settings, whose request streams each get a {@link ConnectUdpRequestHandler}.
 */
public final class IngressConnectionInitializer extends ChannelInitializer<QuicChannel> {
    private final IngressContext context;
    private final ChannelGroup connections;
    private final int maxConnections;

    public IngressConnectionInitializer(IngressContext context, ChannelGroup connections, int maxConnections) {
        this.context = context;
        this.connections = connections;
        this.maxConnections = maxConnections;
    }

    @Override
    protected void initChannel(QuicChannel ch) {
        if (context.draining() || connections.size() >= maxConnections) {
            // H3_EXCESSIVE_LOAD would be a stream error; at connection level close with
            // H3_REQUEST_REJECTED-like semantics is not defined, so use H3_NO_ERROR (0x100).
            ch.close(true, 0x100, ch.alloc().directBuffer(0));
            return;
        }
        connections.add(ch);
        context.metrics().connectionOpened();
        ch.closeFuture().addListener(f -> context.metrics().connectionClosed());
        ch.pipeline().addLast(new HttpDatagramDemuxHandler(context.metrics()));
        ch.pipeline().addLast(new Http3ServerConnectionHandler(
                new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                        stream.pipeline().addLast(new ConnectUdpRequestHandler(context));
                    }
                },
                new PeerSettingsHandler(), null, PeerSettingsHandler.localMasqueSettings(), true));
    }
}
