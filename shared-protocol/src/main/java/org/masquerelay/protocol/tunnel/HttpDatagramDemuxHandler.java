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
package org.masquerelay.protocol.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.datagram.HttpDatagram;

/**
 * Demultiplexes the QUIC DATAGRAM frames of one connection to request streams by quarter stream
 * ID (RFC 9297 §2.1). One instance per {@link QuicChannel}, never shared; all state is touched
 * on that channel's event loop only.
 *
 * <p>A datagram for an unknown or closed stream is dropped (RFC 9297 §2.1 allows drop or
 * buffer; buffering would let a peer pin memory). A datagram too short to hold its quarter
 * stream ID, or with an ID above 2^60-1, closes the connection with H3_DATAGRAM_ERROR.
 */
public final class HttpDatagramDemuxHandler extends ChannelInboundHandlerAdapter {
    private final LongObjectMap<DatagramReceiver> receivers = new LongObjectHashMap<>();
    private final TunnelMetrics metrics;
    private int maxDatagramLength = -1;
    /** Latched once the peer's SETTINGS allowed HTTP Datagrams; saves a look-up per datagram. */
    private boolean peerAllowsDatagrams;

    private @Nullable Channel channel;

    /** Whether this end negotiates QUIC DATAGRAM frames (its codec has {@code datagram(...)}). */
    private final boolean local;

    public HttpDatagramDemuxHandler(TunnelMetrics metrics) {
        this(metrics, true);
    }

    /**
     * @param local false when this end's codec does not enable QUIC DATAGRAM frames: Netty still
     *     fires {@link QuicDatagramExtensionEvent} when only the peer offers them, but writing one
     *     then fails and closes the connection, so {@link #maxDatagramLength} stays -1
     */
    public HttpDatagramDemuxHandler(TunnelMetrics metrics, boolean local) {
        this.metrics = metrics;
        this.local = local;
    }

    /** The demux of {@code quicChannel}, or an exception if the pipeline has none. */
    public static HttpDatagramDemuxHandler of(Channel quicChannel) {
        HttpDatagramDemuxHandler h = quicChannel.pipeline().get(HttpDatagramDemuxHandler.class);
        if (h == null) {
            throw new IllegalStateException("no HttpDatagramDemuxHandler on " + quicChannel);
        }
        return h;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** Registers the receiver for {@code quarterStreamId}; replaces nothing, fails on a duplicate. */
    public void register(long quarterStreamId, DatagramReceiver receiver) {
        assert channel == null || channel.eventLoop().inEventLoop();
        if (receivers.putIfAbsent(quarterStreamId, receiver) != null) {
            throw new IllegalStateException("quarter stream id " + quarterStreamId + " already registered");
        }
    }

    public void unregister(long quarterStreamId) {
        receivers.remove(quarterStreamId);
    }

    public int registered() {
        return receivers.size();
    }

    /**
     * The largest DATAGRAM frame payload quiche could send when the connection was established,
     * or -1 until both sides negotiated the extension. With path MTU discovery the size that fits
     * changes as probes succeed: this is then the figure at the handshake, not a limit. It stays
     * -1 until negotiated (docs/netty.md trap 4: writing before {@link QuicDatagramExtensionEvent}
     * can close the connection).
     */
    public int maxDatagramLength() {
        if (maxDatagramLength < 0 || channel == null) {
            return -1;
        }
        if (!peerAllowsDatagrams) {
            // SETTINGS cannot change once received (RFC 9114 §7.2.4), so a yes is final.
            peerAllowsDatagrams = PeerSettingsHandler.peerSupportsH3Datagram(channel);
            if (!peerAllowsDatagrams) {
                return -1;
            }
        }
        return maxDatagramLength;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof QuicDatagramExtensionEvent e && local) {
            maxDatagramLength = e.maxLength();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            long quarterStreamId = HttpDatagram.readQuarterStreamId(buf);
            DatagramReceiver receiver = receivers.get(quarterStreamId);
            if (receiver == null) {
                metrics.datagramDropped("unknown_stream");
                return;
            }
            receiver.onDatagram(buf.retain());
        } catch (ProtocolException e) {
            metrics.datagramDropped("malformed");
            closeWithDatagramError(ctx.channel(), e.getMessage());
        } finally {
            buf.release();
        }
    }

    /** Closes the connection with H3_DATAGRAM_ERROR (RFC 9297 §2.1). */
    public static void closeWithDatagramError(Channel quicChannel, @Nullable String reason) {
        if (quicChannel instanceof QuicChannel qc && qc.isActive()) {
            byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
            // The reason phrase is ours, never the peer's bytes, and short. close() takes ownership.
            int n = Math.min(r.length, 64);
            ByteBuf phrase = qc.alloc().directBuffer(n).writeBytes(r, 0, n);
            qc.close(true, (int) HttpDatagram.H3_DATAGRAM_ERROR, phrase);
        }
    }
}
