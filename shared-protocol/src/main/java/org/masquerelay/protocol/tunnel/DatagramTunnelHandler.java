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
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.BufferUnderflowException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.capsule.Capsule;
import org.masquerelay.protocol.capsule.CapsuleCumulator;
import org.masquerelay.protocol.capsule.CapsuleEncoder;
import org.masquerelay.protocol.datagram.HttpDatagram;
import org.masquerelay.protocol.varint.VarInt;

/**
 * The open phase of a connect-udp request stream (RFC 9298 §3-§5), after the 2xx. Shared by the
 * ingress (peer = client, local = socket to the egress), the egress (local = socket to the
 * target) and the client (local = the inner QUIC connection).
 *
 * <p>From the peer, UDP payloads arrive as HTTP Datagrams on the connection (routed here by
 * {@link HttpDatagramDemuxHandler}) or as DATAGRAM capsules on the stream (RFC 9297 §3.5); both
 * go to {@link Local#fromPeer}. Context IDs other than 0 are dropped (RFC 9298 §4). Toward the
 * peer, {@link #sendToPeer} uses QUIC DATAGRAM frames when the extension is negotiated and
 * DATAGRAM capsules otherwise. A UDP payload too large for one DATAGRAM frame is dropped and
 * counted, as a too-large UDP packet would be on a real path.
 *
 * <p>On an HTTP/2 stream (behind an {@link Http2StreamBridge}) there are no QUIC datagrams:
 * UDP payloads go both ways as DATAGRAM capsules (RFC 9298 §3.3, RFC 9297 §3.5). A capsule
 * toward a peer whose stream is not writable (its TCP connection or flow-control window is full)
 * is dropped and counted as {@code congested}, as a UDP packet is at a full queue: buffering
 * would let a slow reader pin the relay's memory, and the tunnelled QUIC connection reacts to the
 * loss.
 *
 * <p>A malformed capsule, a FIN inside a capsule, or a UDP payload over 65527 bytes resets the
 * stream with H3_MESSAGE_ERROR (RFC 9297 §3.3, RFC 9298 §5; PROTOCOL_ERROR on HTTP/2); the
 * peer's FIN or reset closes the tunnel. One instance per stream; every method runs on the
 * stream's event loop, which is also the connection's.
 */
public final class DatagramTunnelHandler extends ChannelInboundHandlerAdapter {
    /** Called on the stream's event loop. */
    public interface Local {
        /** A UDP payload from the peer; the callee owns it. */
        void fromPeer(ByteBuf payload);

        /** The tunnel is gone (stream closed for any reason); release the local side. */
        void closed();
    }

    /**
     * Receives the capsules of other types than DATAGRAM, such as the connection-ID capsules of
     * QUIC-aware forwarding (docs/quic-forwarding.md). Called on the stream's event loop; the
     * payload is released after the call. A {@link ProtocolException} resets the stream with
     * H3_MESSAGE_ERROR, as a malformed capsule does (RFC 9297 §3.3).
     */
    @FunctionalInterface
    public interface CapsuleListener {
        void onCapsule(Capsule capsule);
    }

    /** Largest capsule we buffer: a UDP payload plus its context ID (RFC 9298 §5). */
    public static final int MAX_CAPSULE_PAYLOAD = 65527 + 8;

    /** Capsule bytes queued on a stream before it is unwritable, and further capsules are dropped. */
    static final WriteBufferWaterMark CAPSULE_QUEUE = new WriteBufferWaterMark(512 << 10, 1 << 20);

    /** Largest UDP payload: 65535 minus the 8-byte UDP header (RFC 9298 §5). */
    static final int MAX_UDP_PAYLOAD = 65527;

    private final Channel stream;
    /** The stream's QUIC connection; null on HTTP/2, where only capsules carry datagrams. */
    private final @Nullable QuicChannel connection;

    private final long quarterStreamId;
    private final Local local;
    private final TunnelMetrics metrics;
    private final CapsuleCumulator capsules = new CapsuleCumulator(MAX_CAPSULE_PAYLOAD);
    private @Nullable HttpDatagramDemuxHandler demux;
    private @Nullable CapsuleListener capsuleListener;
    private boolean streamWritePending;
    private boolean capsuleProtocol = true;
    /** On the stream's pipeline: the 2xx is written, and datagrams may go to the peer. */
    private boolean added;

    /**
     * @param stream a {@link QuicStreamChannel}, or an HTTP/2 stream channel with an {@link
     *     Http2StreamBridge} before this handler
     */
    public DatagramTunnelHandler(Channel stream, Local local, TunnelMetrics metrics) {
        this.stream = stream;
        this.connection = RequestStreams.quicConnection(stream);
        this.quarterStreamId = RequestStreams.id(stream) / 4; // RFC 9297 §2.1
        this.local = local;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        added = true;
        // A burst of capsules may queue this much before the stream counts as congested and
        // later ones are dropped: about a bandwidth-delay product of a fast path, as a router's
        // queue would hold, so the tunnelled connection sees loss only when the path is full.
        stream.config().setWriteBufferWaterMark(CAPSULE_QUEUE);
        QuicChannel quic = connection;
        HttpDatagramDemuxHandler demux = quic == null ? null : HttpDatagramDemuxHandler.of(quic);
        this.demux = demux;
        if (demux != null) {
            demux.register(quarterStreamId, this::onHttpDatagram);
        }
        stream.closeFuture().addListener(f -> {
            if (demux != null) {
                demux.unregister(quarterStreamId);
            }
            capsules.close();
            local.closed();
        });
    }

    private void onHttpDatagram(ByteBuf payload) {
        try {
            if (!VarInt.isReadable(payload)) {
                metrics.datagramDropped("malformed");
                HttpDatagramDemuxHandler.closeWithDatagramError(
                        Objects.requireNonNull(connection, "connection"), "truncated context id");
                return;
            }
            long contextId = HttpDatagram.readContextId(payload);
            deliver(contextId, payload.retain());
        } finally {
            payload.release();
        }
    }

    private void deliver(long contextId, ByteBuf udpPayload) {
        if (contextId != 0) {
            // RFC 9298 §4: datagrams with an unknown context ID are dropped.
            metrics.datagramDropped("unknown_context");
            udpPayload.release();
            return;
        }
        metrics.bytesFromPeer(udpPayload.readableBytes());
        local.fromPeer(udpPayload);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http3DataFrame frame) || !capsuleProtocol) {
            // Trailers or anything else after the 2xx carry nothing for a UDP tunnel, and without
            // the Capsule Protocol neither does DATA (RFC 9297 §3.4: it is not parsed as capsules).
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            capsules.add(frame.content().retain(), this::onCapsule);
        } catch (ProtocolException e) {
            metrics.datagramDropped("malformed_capsule");
            resetStream(Http3ErrorCode.H3_MESSAGE_ERROR.code());
        } finally {
            frame.release();
        }
    }

    private void onCapsule(Capsule capsule) {
        ByteBuf payload = capsule.payload();
        if (capsule.type() != Capsule.TYPE_DATAGRAM) {
            CapsuleListener listener = capsuleListener;
            try {
                if (listener != null) {
                    listener.onCapsule(capsule);
                }
            } finally {
                payload.release(); // RFC 9297 §3.2: unknown capsule types are skipped
            }
            return;
        }
        if (!VarInt.isReadable(payload)) {
            payload.release();
            throw new MalformedCapsuleInTunnelException("DATAGRAM capsule without context id");
        }
        long contextId = VarInt.read(payload);
        if (payload.readableBytes() > MAX_UDP_PAYLOAD) {
            // RFC 9298 §5: a UDP payload longer than 65527 bytes is malformed; abort the stream.
            payload.release();
            throw new MalformedCapsuleInTunnelException("UDP payload longer than " + MAX_UDP_PAYLOAD + " bytes");
        }
        deliver(contextId, payload);
    }

    /** Thrown inside the capsule callback so the reset logic above handles it. */
    private static final class MalformedCapsuleInTunnelException extends ProtocolException {
        private static final long serialVersionUID = 1L;

        MalformedCapsuleInTunnelException(String message) {
            super(message);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            if (capsuleProtocol && capsules.hasPartial()) {
                // RFC 9297 §3.3: a stream that ends inside a capsule is a malformed message.
                metrics.datagramDropped("malformed_capsule");
                resetStream(Http3ErrorCode.H3_MESSAGE_ERROR.code());
                return;
            }
            // RFC 9298 §3: closing the request stream closes the tunnel.
            stream.close();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A stream reset or connection loss surfaces here; the tunnel just ends.
        stream.close();
    }

    /**
     * For a request without {@code capsule-protocol: ?1} (RFC 9297 §3.4): its stream's data is not
     * parsed as capsules, and UDP payloads go as HTTP Datagrams only, never as DATAGRAM capsules;
     * those the peer cannot take as datagrams are dropped. Call before the first read.
     */
    public void withoutCapsuleProtocol() {
        capsuleProtocol = false;
    }

    /** Routes capsules of other types than DATAGRAM to {@code listener}; set it before the first read. */
    public void capsuleListener(CapsuleListener listener) {
        this.capsuleListener = listener;
    }

    /** Writes one encoded capsule (type, length, value) on the stream and flushes; takes ownership. */
    public void sendCapsule(ByteBuf capsule) {
        if (!stream.isActive()) {
            capsule.release();
            return;
        }
        stream.writeAndFlush(new DefaultHttp3DataFrame(capsule), stream.voidPromise());
    }

    /**
     * Sends one UDP payload to the peer (takes ownership). Call {@link #flush()} after a batch.
     */
    public void sendToPeer(ByteBuf udpPayload) {
        if (!stream.isActive()) {
            udpPayload.release();
            return;
        }
        if (!added) {
            // Not on the stream's pipeline yet, so the 2xx is not written: nothing may be sent.
            metrics.datagramDropped("before_response");
            udpPayload.release();
            return;
        }
        HttpDatagramDemuxHandler demux = this.demux;
        QuicChannel quic = connection;
        int len = udpPayload.readableBytes();
        // -1: no QUIC datagrams on this connection, or an HTTP/2 stream
        int max = demux == null || quic == null ? -1 : demux.maxDatagramLength();
        try {
            if (max < 0 && !capsuleProtocol) {
                metrics.datagramDropped("no_datagram_path");
                return;
            }
            if (max >= 0 && quic != null) {
                // No check against max: that is quiche's figure at the handshake, and with path MTU
                // discovery the frame that fits grows from a 1200-byte packet's (RFC 9000 §14.3).
                // quiche refuses a datagram too large for the packet size of now with
                // BUFFER_TOO_SHORT, which Netty reports as a BufferUnderflowException on the
                // write: it is dropped, as a too-large packet is on a real path.
                quic.write(HttpDatagram.encode(quic.alloc(), quarterStreamId, 0, udpPayload))
                        .addListener(f -> {
                            if (f.isSuccess()) {
                                metrics.bytesToPeer(len);
                            } else if (f.cause() instanceof BufferUnderflowException) {
                                metrics.datagramDropped("too_large");
                            }
                        });
            } else if (!stream.isWritable()) {
                metrics.datagramDropped("congested");
            } else {
                stream.write(new DefaultHttp3DataFrame(CapsuleEncoder.encodeDatagram(stream.alloc(), 0, udpPayload)));
                streamWritePending = true;
                metrics.bytesToPeer(len);
            }
        } finally {
            udpPayload.release();
        }
    }

    public void flush() {
        QuicChannel quic = connection;
        if (quic != null) {
            quic.flush();
        }
        if (streamWritePending) {
            streamWritePending = false;
            stream.flush();
        }
    }

    /** Ends the tunnel from the local side with a clean FIN. */
    public void close() {
        stream.close();
    }

    /** Ends the tunnel abruptly (RESET_STREAM and STOP_SENDING with {@code error}). */
    public void resetStream(long error) {
        RequestStreams.reset(stream, error);
    }

    /** The request stream: a {@link QuicStreamChannel}, or an HTTP/2 stream channel. */
    public Channel stream() {
        return stream;
    }
}
