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
package org.masquerelay.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3Headers;
import org.masquerelay.protocol.status.ProxyStatus;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.tunnel.RequestStreams;

/**
 * Maps a {@link RelayException} to the final response of a request stream: the status from the
 * docs/architecture.md §3 table and a {@code proxy-status} field (RFC 9209 §2). Only valid before a 2xx; after
 * it, errors are stream resets (there is never a second response).
 */
public final class ErrorResponder {
    private ErrorResponder() {}

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
    public static void respond(Channel stream, String proxyName, RelayException e) {
        respond(stream, headers(proxyName, e));
    }

    public static void respond(Channel stream, Http3Headers headers) {
        if (!stream.isActive()) {
            return;
        }
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(headers))
                .addListener(f -> RequestStreams.finish(stream).addListener(g -> stream.close()));
    }
}
