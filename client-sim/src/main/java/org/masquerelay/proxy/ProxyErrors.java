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
package org.masquerelay.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.ProxyResponseException;
import org.masquerelay.protocol.status.MalformedProxyStatusException;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.ProxyStatus;

/**
 * Maps why a flow could not open to what each local protocol can say: a SOCKS5 reply code (RFC
 * 1928 §6) or an HTTP status with the relay's {@code Proxy-Status} (RFC 9209), passed through.
 * Failures of our own (no relay answer in time, a dropped hop) get a {@code Proxy-Status} member
 * named {@value #PROXY_NAME}.
 */
final class ProxyErrors {
    /** Our name in Proxy-Status members (RFC 9209 §2). */
    static final String PROXY_NAME = "masque-proxy";

    private ProxyErrors() {}

    /** The cause under the future's wrappers. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The RFC 9209 error of a relay's refusal, from its Proxy-Status, if it named a known one. */
    private static @Nullable ProxyErrorType errorOf(ProxyResponseException e) {
        if (e.proxyStatus() == null) {
            return null;
        }
        try {
            return ProxyStatus.parse(e.proxyStatus()).error().orElse(null);
        } catch (MalformedProxyStatusException malformed) {
            return null;
        }
    }

    /** RFC 1928 §6 REP for a failed CONNECT or UDP ASSOCIATE. */
    static Socks5CommandStatus socksStatus(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof TimeoutException) {
            return Socks5CommandStatus.TTL_EXPIRED;
        }
        if (!(t instanceof ProxyResponseException e)) {
            return Socks5CommandStatus.FAILURE;
        }
        ProxyErrorType type = errorOf(e);
        if (type != null) {
            switch (type) {
                case DESTINATION_IP_PROHIBITED, HTTP_REQUEST_DENIED:
                    return Socks5CommandStatus.FORBIDDEN;
                case DNS_ERROR, DESTINATION_NOT_FOUND, DESTINATION_IP_UNROUTABLE, DESTINATION_UNAVAILABLE:
                    return Socks5CommandStatus.HOST_UNREACHABLE;
                case CONNECTION_REFUSED:
                    return Socks5CommandStatus.CONNECTION_REFUSED;
                case DNS_TIMEOUT, CONNECTION_TIMEOUT:
                    return Socks5CommandStatus.TTL_EXPIRED;
                default:
                    break;
            }
        }
        return switch (e.status()) {
            case 403 -> Socks5CommandStatus.FORBIDDEN;
            case 504 -> Socks5CommandStatus.TTL_EXPIRED;
            default -> Socks5CommandStatus.FAILURE;
        };
    }

    /**
     * The response to a proxy request whose upstream could not open: the relay's status and
     * Proxy-Status when a relay refused (a 407 becomes 502: its credentials are the client
     * library's business, not this proxy's client's), 504 on our timeout, 502 otherwise. The
     * connection closes after it.
     */
    static FullHttpResponse httpResponse(ByteBufAllocator alloc, Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ProxyResponseException e) {
            int status = e.status() == 407 || e.status() < 400 || e.status() > 599 ? 502 : e.status();
            return httpResponse(
                    alloc, HttpResponseStatus.valueOf(status), e.proxyStatus(), String.valueOf(e.getMessage()));
        }
        if (t instanceof TimeoutException) {
            return httpResponse(
                    alloc,
                    HttpResponseStatus.GATEWAY_TIMEOUT,
                    ProxyStatus.of(PROXY_NAME, ProxyErrorType.CONNECTION_TIMEOUT, null)
                            .toHeaderValue(),
                    "no answer from the relays in time");
        }
        return httpResponse(
                alloc,
                HttpResponseStatus.BAD_GATEWAY,
                ProxyStatus.of(PROXY_NAME, ProxyErrorType.DESTINATION_UNAVAILABLE, "relay path unavailable")
                        .toHeaderValue(),
                "relay path unavailable");
    }

    /** A short text/plain response that closes the connection. */
    static FullHttpResponse httpResponse(
            ByteBufAllocator alloc, HttpResponseStatus status, @Nullable String proxyStatus, String text) {
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, ByteBufUtil.writeUtf8(alloc, text + "\n"));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (proxyStatus != null) {
            r.headers().set("proxy-status", proxyStatus);
        }
        return r;
    }

    /** 400 for a request this proxy cannot forward, with an RFC 9209 http_request_error. */
    static FullHttpResponse badRequest(ByteBufAllocator alloc, String why) {
        return httpResponse(
                alloc,
                HttpResponseStatus.BAD_REQUEST,
                ProxyStatus.of(PROXY_NAME, ProxyErrorType.HTTP_REQUEST_ERROR, why)
                        .toHeaderValue(),
                why);
    }
}
