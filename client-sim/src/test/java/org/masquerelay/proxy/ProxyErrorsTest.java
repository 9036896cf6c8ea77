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

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.masquerelay.client.ProxyResponseException;

class ProxyErrorsTest {
    private static Socks5CommandStatus socks(int status, String proxyStatus) {
        return ProxyErrors.socksStatus(
                new CompletionException(new ProxyResponseException("egress", status, proxyStatus)));
    }

    @Test
    void rfc9209ErrorsMapToRfc1928ReplyCodes() {
        assertThat(socks(403, "egress; error=destination_ip_prohibited")).isEqualTo(Socks5CommandStatus.FORBIDDEN);
        assertThat(socks(403, "egress; error=http_request_denied; details=\"invalid geohash\""))
                .isEqualTo(Socks5CommandStatus.FORBIDDEN);
        assertThat(socks(502, "egress; error=dns_error")).isEqualTo(Socks5CommandStatus.HOST_UNREACHABLE);
        assertThat(socks(502, "egress; error=destination_ip_unroutable"))
                .isEqualTo(Socks5CommandStatus.HOST_UNREACHABLE);
        assertThat(socks(502, "egress; error=connection_refused")).isEqualTo(Socks5CommandStatus.CONNECTION_REFUSED);
        assertThat(socks(504, "egress; error=connection_timeout")).isEqualTo(Socks5CommandStatus.TTL_EXPIRED);
        assertThat(socks(504, "egress; error=dns_timeout")).isEqualTo(Socks5CommandStatus.TTL_EXPIRED);
        assertThat(socks(503, "egress; error=connection_limit_reached")).isEqualTo(Socks5CommandStatus.FAILURE);
    }

    @Test
    void withoutAKnownErrorTheStatusDecides() {
        assertThat(socks(403, null)).isEqualTo(Socks5CommandStatus.FORBIDDEN);
        assertThat(socks(504, "egress; error=some_future_error")).isEqualTo(Socks5CommandStatus.TTL_EXPIRED);
        assertThat(socks(502, "not a structured field (")).isEqualTo(Socks5CommandStatus.FAILURE);
        assertThat(ProxyErrors.socksStatus(new TimeoutException())).isEqualTo(Socks5CommandStatus.TTL_EXPIRED);
        assertThat(ProxyErrors.socksStatus(new IOException("hop gone"))).isEqualTo(Socks5CommandStatus.FAILURE);
    }

    @Test
    void httpResponsesCarryTheRelaysStatusOrOurOwnProxyStatus() {
        FullHttpResponse refused = ProxyErrors.httpResponse(
                ByteBufAllocator.DEFAULT,
                new ProxyResponseException("egress", 504, "egress; error=connection_timeout"));
        assertThat(refused.status().code()).isEqualTo(504);
        assertThat(refused.headers().get("proxy-status")).isEqualTo("egress; error=connection_timeout");
        refused.release();
        FullHttpResponse lost = ProxyErrors.httpResponse(ByteBufAllocator.DEFAULT, new IOException("closed"));
        assertThat(lost.status().code()).isEqualTo(502);
        assertThat(lost.headers().get("proxy-status"))
                .isEqualTo("masque-proxy; error=destination_unavailable; details=\"relay path unavailable\"");
        lost.release();
    }
}
