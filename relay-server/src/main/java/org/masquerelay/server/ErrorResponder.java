package org.masquerelay.server;

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicStreamChannel;
import org.masquerelay.protocol.status.ProxyStatus;
import org.masquerelay.protocol.status.RelayException;

/**
 * Maps a {@link RelayException} to the final response of a request stream: the status from the
 * docs/architecture.md §3 table and a {@code proxy-status} field (RFC 9209 §2). Only valid before a 2xx; after
 * it, errors are stream resets (there is never a second response).
 */
public final class ErrorResponder {
    private ErrorResponder() {
    }

    public static Http3Headers headers(String proxyName, RelayException e) {
        Http3Headers h = new DefaultHttp3Headers();
        h.status(Integer.toString(e.status()));
        h.set("proxy-status", ProxyStatus.of(proxyName, e.type(), e.details()).toHeaderValue());
        if (e.proxyAuthenticate() != null) {
            h.set("proxy-authenticate", e.proxyAuthenticate());
        }
        return h;
    }

    /**
     * Writes the error response, then FIN from the write's listener (docs/netty.md trap 1), then
     * closes the stream.
     */
    public static void respond(QuicStreamChannel stream, String proxyName, RelayException e) {
        respond(stream, headers(proxyName, e));
    }

    public static void respond(QuicStreamChannel stream, Http3Headers headers) {
        if (!stream.isActive()) {
            return;
        }
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(headers))
                .addListener(f -> stream.shutdownOutput().addListener(g -> stream.close()));
    }
}
