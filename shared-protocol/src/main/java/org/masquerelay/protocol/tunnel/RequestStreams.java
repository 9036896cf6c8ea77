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

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * What the request-phase and tunnel handlers need from a request stream, on either transport: a
 * QUIC stream of an HTTP/3 connection ({@link QuicStreamChannel}), or an HTTP/2 stream over TCP
 * and TLS ({@link Http2StreamChannel}, with an {@link Http2StreamBridge} in its pipeline). Only
 * these few things differ between the two; the handlers themselves are the same code, so both
 * listeners apply one policy (docs/architecture.md §3.6).
 */
public final class RequestStreams {
    private RequestStreams() {}

    /** The QUIC connection of {@code stream}, or null for an HTTP/2 stream (no QUIC datagrams). */
    public static @Nullable QuicChannel quicConnection(Channel stream) {
        return stream instanceof QuicStreamChannel q ? q.parent() : null;
    }

    /** The stream's id on its connection, for logs and HTTP Datagram routing. */
    public static long id(Channel stream) {
        if (stream instanceof QuicStreamChannel q) {
            return q.streamId();
        }
        if (stream instanceof Http2StreamChannel h) {
            return h.stream().id();
        }
        return -1;
    }

    /** The address of the peer at the other end of the stream's connection (the client, at the ingress). */
    public static @Nullable InetSocketAddress peerAddress(Channel stream) {
        Channel connection = stream.parent();
        if (connection == null) {
            return null;
        }
        SocketAddress a = connection instanceof QuicChannel q ? q.remoteSocketAddress() : connection.remoteAddress();
        return a instanceof InetSocketAddress inet ? inet : null;
    }

    /**
     * Ends the write side cleanly: a QUIC FIN, or an HTTP/2 DATA frame with END_STREAM (RFC 9113
     * §8.1). The read side stays open.
     */
    public static ChannelFuture finish(Channel stream) {
        if (stream instanceof QuicStreamChannel q) {
            return q.shutdownOutput();
        }
        return stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
    }

    /**
     * Resets the stream both ways with the HTTP/3 error {@code h3Error}: RESET_STREAM and
     * STOP_SENDING on QUIC; on HTTP/2, RST_STREAM with the code of the same meaning (RFC 9113
     * §7; a malformed message is a PROTOCOL_ERROR there, RFC 9113 §8.1.1). The stream closes
     * after.
     */
    public static void reset(Channel stream, long h3Error) {
        if (!stream.isActive()) {
            return;
        }
        if (stream instanceof QuicStreamChannel q) {
            q.shutdown((int) h3Error).addListener(f -> q.close());
            return;
        }
        stream.writeAndFlush(new DefaultHttp2ResetFrame(http2Error(h3Error))).addListener(f -> stream.close());
    }

    /** The HTTP/2 error code with the meaning of HTTP/3's {@code h3Error} (RFC 9114 §8.1, RFC 9113 §7). */
    static Http2Error http2Error(long h3Error) {
        if (h3Error == Http3ErrorCode.H3_MESSAGE_ERROR.code()) {
            return Http2Error.PROTOCOL_ERROR;
        } else if (h3Error == Http3ErrorCode.H3_CONNECT_ERROR.code()) {
            return Http2Error.CONNECT_ERROR;
        } else if (h3Error == Http3ErrorCode.H3_INTERNAL_ERROR.code()) {
            return Http2Error.INTERNAL_ERROR;
        } else if (h3Error == Http3ErrorCode.H3_NO_ERROR.code()) {
            return Http2Error.NO_ERROR;
        } else if (h3Error == Http3ErrorCode.H3_EXCESSIVE_LOAD.code()) {
            return Http2Error.ENHANCE_YOUR_CALM;
        }
        return Http2Error.CANCEL;
    }
}
