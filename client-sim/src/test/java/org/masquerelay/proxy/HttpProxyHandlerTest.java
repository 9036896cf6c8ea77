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

import static org.assertj.core.api.Assertions.assertThat;
import static org.masquerelay.proxy.ChannelBytes.channel;
import static org.masquerelay.proxy.ChannelBytes.in;
import static org.masquerelay.proxy.ChannelBytes.outText;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.masquerelay.client.ProxyResponseException;

/** The HTTP proxy's request handling against a stand-in upstream. */
class HttpProxyHandlerTest {
    private final ProxyStats stats = new ProxyStats(() -> 0, () -> 0, () -> 0, java.util.Optional::empty);
    private final FakeUpstream upstream = new FakeUpstream();

    private EmbeddedChannel http() {
        return channel(p -> new HttpProxyHandler(upstream, new FlowMeter(stats)).install(p));
    }

    @Test
    void originFormIsNotAProxyRequest() {
        EmbeddedChannel ch = http();
        in(ch, "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");
        String response = outText(ch);
        assertThat(response)
                .startsWith("HTTP/1.1 400 ")
                .contains("proxy-status: masque-proxy; error=http_request_error; details=\"absolute-form http:// "
                        + "request target expected\"");
        assertThat(ch.isOpen()).isFalse();
        assertThat(upstream.targets).isEmpty();
    }

    @Test
    void httpsAbsoluteFormNeedsConnect() {
        EmbeddedChannel ch = http();
        in(ch, "GET https://example.com/ HTTP/1.1\r\n\r\n");
        assertThat(outText(ch)).startsWith("HTTP/1.1 400 ").contains("https:// needs CONNECT");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void garbageIsAMalformedRequest() {
        EmbeddedChannel ch = http();
        in(ch, "\u0001\u0002 nonsense\r\n\r\n");
        assertThat(outText(ch)).startsWith("HTTP/1.1 400 ").contains("malformed request");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void connectWithoutAPortIsMalformed() {
        EmbeddedChannel ch = http();
        in(ch, "CONNECT example.com HTTP/1.1\r\n\r\n");
        assertThat(outText(ch)).startsWith("HTTP/1.1 400 ").contains("CONNECT needs host:port");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void connectRefusalPassesTheEgressStatusAndProxyStatusThrough() {
        EmbeddedChannel ch = http();
        in(ch, "CONNECT no-such-host.example:443 HTTP/1.1\r\nHost: no-such-host.example:443\r\n\r\n");
        assertThat(upstream.targets).containsExactly("no-such-host.example 443");
        upstream.answer.completeExceptionally(new ProxyResponseException("egress", 502, "egress; error=dns_error"));
        String response = outText(ch);
        assertThat(response)
                .startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                .contains("proxy-status: egress; error=dns_error")
                .contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void absoluteFormGoesToTheTargetsHostAndPortAndATimeoutIs504() {
        EmbeddedChannel ch = http();
        in(ch, "GET http://[2001:db8::1]:8080/a?b=c HTTP/1.1\r\nHost: elsewhere\r\n\r\n");
        assertThat(upstream.targets).containsExactly("2001:db8::1 8080");
        upstream.answer.completeExceptionally(new TimeoutException());
        assertThat(outText(ch))
                .startsWith("HTTP/1.1 504 ")
                .contains("proxy-status: masque-proxy; error=connection_timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void an407FromARelayIsNotPassedToTheLocalClient() {
        EmbeddedChannel ch = http();
        in(ch, "GET http://example.com/ HTTP/1.1\r\n\r\n");
        upstream.answer.completeExceptionally(new ProxyResponseException("ingress", 407, null));
        assertThat(outText(ch)).startsWith("HTTP/1.1 502 ");
    }

    @Test
    void absoluteFormTargetsParse() {
        assertThat(HttpProxyHandler.parseAbsoluteForm("http://Example.COM/x?y#frag"))
                .isEqualTo(new HttpProxyHandler.AbsoluteTarget("example.com", 80, "Example.COM", "/x?y"));
        assertThat(HttpProxyHandler.parseAbsoluteForm("HTTP://127.0.0.1:8000"))
                .isEqualTo(new HttpProxyHandler.AbsoluteTarget("127.0.0.1", 8000, "127.0.0.1:8000", "/"));
        assertThat(HttpProxyHandler.parseAbsoluteForm("http://[::1]/?q"))
                .isEqualTo(new HttpProxyHandler.AbsoluteTarget("::1", 80, "[::1]", "/?q"));
        assertThat(HttpProxyHandler.parseAbsoluteForm("/relative")).isNull();
        assertThat(HttpProxyHandler.parseAbsoluteForm("http://user:pw@example.com/"))
                .isNull();
        assertThat(HttpProxyHandler.parseAbsoluteForm("http://example.com:99999/"))
                .isNull();
        assertThat(HttpProxyHandler.parseAbsoluteForm("http:///nohost")).isNull();
    }

    @Test
    void originFormRewriteDropsHopByHopAndProxyFields() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "http://example.com:81/p?q");
        req.headers()
                .add("Host", "stale.example")
                .add("Connection", "keep-alive, X-Private")
                .add("X-Private", "drop me")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("Proxy-Authorization", "Basic c2VjcmV0")
                .add("Proxy-Anything", "x")
                .add("TE", "trailers")
                .add("Upgrade", "websocket")
                .add("Transfer-Encoding", "chunked")
                .add("Accept", "*/*");
        HttpProxyHandler.toOriginForm(req, HttpProxyHandler.parseAbsoluteForm(req.uri()));
        assertThat(req.uri()).isEqualTo("/p?q");
        assertThat(req.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(req.headers().names())
                .map(n -> n.toLowerCase(java.util.Locale.ROOT))
                .containsExactlyInAnyOrder("host", "transfer-encoding", "accept");
        assertThat(req.headers().get("Host")).isEqualTo("example.com:81");
    }

    @Test
    void connectionCannotNameTheFramingFields() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "http://a/");
        req.headers().add("Connection", "content-length, transfer-encoding").add("Content-Length", "3");
        HttpProxyHandler.toOriginForm(req, HttpProxyHandler.parseAbsoluteForm(req.uri()));
        assertThat(req.headers().get("Content-Length")).isEqualTo("3");
    }
}
