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

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3HeadersValidationException;
import java.util.Map;

/**
 * Makes one HTTP/2 stream ({@code Http2StreamChannel}, from Netty's {@code Http2MultiplexHandler})
 * look like an HTTP/3 request stream to the handlers behind it, so that the request phase, the
 * tunnel and the client's request handler are the same code on both transports (RFC 9298 §3.3:
 * connect-udp over HTTP/2 is the same request, as an extended CONNECT of RFC 8441).
 *
 * <ul>
 *   <li>In: a HEADERS frame becomes an {@link Http3HeadersFrame}, a DATA frame an {@link
 *       Http3DataFrame}, and END_STREAM a {@link ChannelInputShutdownEvent} after them, as a QUIC
 *       FIN is. RST_STREAM closes the stream channel, which ends the tunnel as a QUIC reset does.
 *   <li>Out: {@link Http3HeadersFrame} and {@link Http3DataFrame} become HEADERS and DATA
 *       frames; HTTP/2 frames written directly (END_STREAM, RST_STREAM: {@link RequestStreams})
 *       pass as they are.
 * </ul>
 *
 * <p>The fields are copied as they are: HTTP/2 and HTTP/3 carry the same pseudo-header and field
 * rules (RFC 9113 §8.2-§8.3, RFC 9114 §4.2-§4.3), which Netty's HTTP/2 codec already checked. A
 * field HTTP/3 would refuse resets the stream with PROTOCOL_ERROR. One instance per stream.
 */
public final class Http2StreamBridge extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame frame) {
            Http3Headers h3;
            try {
                h3 = toHttp3(frame.headers());
            } catch (Http3HeadersValidationException e) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
                        .addListener(f -> ctx.close());
                return;
            }
            ctx.fireChannelRead(new DefaultHttp3HeadersFrame(h3));
            if (frame.isEndStream()) {
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        } else if (msg instanceof Http2DataFrame frame) {
            boolean end = frame.isEndStream();
            if (frame.content().isReadable()) {
                ctx.fireChannelRead(new DefaultHttp3DataFrame(frame.content()));
            } else {
                frame.release();
            }
            if (end) {
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Http3HeadersFrame frame) {
            ctx.write(new DefaultHttp2HeadersFrame(toHttp2(frame.headers()), false), promise);
        } else if (msg instanceof Http3DataFrame frame) {
            ctx.write(new DefaultHttp2DataFrame(frame.content(), false), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** The same fields as HTTP/3 headers; throws {@link Http3HeadersValidationException} on one HTTP/3 refuses. */
    public static Http3Headers toHttp3(Http2Headers h2) {
        Http3Headers h3 = new DefaultHttp3Headers();
        for (Map.Entry<CharSequence, CharSequence> field : h2) {
            h3.add(field.getKey(), field.getValue());
        }
        return h3;
    }

    /** The same fields as HTTP/2 headers. */
    public static Http2Headers toHttp2(Http3Headers h3) {
        Http2Headers h2 = new DefaultHttp2Headers();
        for (Map.Entry<CharSequence, CharSequence> field : h3) {
            h2.add(field.getKey(), field.getValue());
        }
        return h2;
    }
}
