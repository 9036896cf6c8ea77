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

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.EmbeddedQuicChannel;
import org.masquerelay.protocol.tunnel.EmbeddedQuicStreamChannel;

/**
 * The final error response of a request stream (docs/architecture.md §3): the status of the §3
 * table, a {@code proxy-status} member naming this relay (RFC 9209 §2), {@code proxy-authenticate}
 * only on a 407 (RFC 9110 §11.7.1), and HEADERS, then FIN, then close.
 */
class ErrorResponderTest {
    private final EmbeddedQuicChannel connection = new EmbeddedQuicChannel();
    private final EmbeddedQuicStreamChannel stream = new EmbeddedQuicStreamChannel(connection, 0);

    @AfterEach
    void finish() {
        stream.finishAndReleaseAll();
        connection.finishAndReleaseAll();
    }

    @Test
    void theTableCoversEveryErrorType() {
        assertThat(Arrays.stream(ProxyErrorType.values()).map(ProxyErrorType::token))
                .containsExactlyInAnyOrderElementsOf(ArchitectureStatusTable.STATUS.keySet());
    }

    @ParameterizedTest
    @EnumSource(ProxyErrorType.class)
    void eachErrorTypeGetsItsStatusAndProxyStatus(ProxyErrorType type) {
        Http3Headers h = ErrorResponder.headers("ingress", new RelayException(type, Side.DOWNSTREAM, "why"));

        assertThat(h.status().toString()).isEqualTo(Integer.toString(ArchitectureStatusTable.STATUS.get(type.token())));
        assertThat(h.get("proxy-status").toString()).isEqualTo("ingress; error=" + type.token() + "; details=\"why\"");
        assertThat(h.contains("proxy-authenticate")).isFalse();
        assertThat(h.size()).isEqualTo(2);
    }

    @Test
    void withoutDetailsProxyStatusHasNoDetailsParameter() {
        Http3Headers h =
                ErrorResponder.headers("egress", new RelayException(ProxyErrorType.DNS_ERROR, Side.UPSTREAM, null));

        assertThat(h.status().toString()).isEqualTo("502");
        assertThat(h.get("proxy-status").toString()).isEqualTo("egress; error=dns_error");
    }

    @Test
    void authenticationRequiredIs407WithItsChallenge() {
        String challenge = "PrivateToken challenge=\"abc\", token-key=\"def\"";
        Http3Headers h =
                ErrorResponder.headers("ingress", RelayException.authenticationRequired("missing token", challenge));

        assertThat(h.status().toString())
                .isEqualTo(Integer.toString(ArchitectureStatusTable.PROXY_AUTHENTICATION_REQUIRED));
        assertThat(h.get("proxy-status").toString())
                .isEqualTo("ingress; error=http_request_denied; details=\"missing token\"");
        assertThat(h.get("proxy-authenticate").toString()).isEqualTo(challenge);
        assertThat(h.size()).isEqualTo(3);
    }

    @Test
    void respondWritesHeadersThenFinOnceTheWriteCompletesThenCloses() {
        List<String> events = new ArrayList<>();
        ChannelPromise[] held = new ChannelPromise[1];
        stream.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                events.add("write " + ((Http3HeadersFrame) msg).headers().status()
                        + (stream.isOutputShutdown() ? " after FIN" : ""));
                held[0] = promise;
            }

            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                events.add("close" + (stream.isOutputShutdown() ? " after FIN" : " before FIN"));
                super.close(ctx, promise);
            }
        });

        ErrorResponder.respond(
                stream, "ingress", new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, null));

        // FIN only once the response is written.
        assertThat(events).containsExactly("write 400");
        assertThat(stream.isOutputShutdown()).isFalse();
        assertThat(stream.isOpen()).isTrue();

        held[0].setSuccess();

        assertThat(events).containsExactly("write 400", "close after FIN");
        assertThat(stream.outputShutdownError()).as("FIN, not RESET_STREAM").isZero();
        assertThat(stream.isOpen()).isFalse();
    }

    @Test
    void respondWritesExactlyOneHeadersFrame() {
        ErrorResponder.respond(
                stream, "egress", new RelayException(ProxyErrorType.CONNECTION_TIMEOUT, Side.UPSTREAM, null));

        List<Object> written =
                Stream.generate(stream::readOutbound).takeWhile(m -> m != null).toList();
        assertThat(written).hasSize(1);
        Http3Headers h = ((Http3HeadersFrame) written.get(0)).headers();
        assertThat(h.status().toString()).isEqualTo("504");
        assertThat(h.get("proxy-status").toString()).isEqualTo("egress; error=connection_timeout");
        assertThat(stream.outputShutdownError()).isZero();
        assertThat(stream.isOpen()).isFalse();
    }

    @Test
    void respondOnAClosedStreamWritesNothing() {
        stream.close();

        ErrorResponder.respond(
                stream, "ingress", new RelayException(ProxyErrorType.PROXY_INTERNAL_ERROR, Side.INTERNAL, null));

        assertThat(stream.<Object>readOutbound()).isNull();
        assertThat(stream.outputShutdownError()).isNull();
    }
}
