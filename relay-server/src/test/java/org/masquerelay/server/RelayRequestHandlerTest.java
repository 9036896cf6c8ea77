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

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3HeadersValidationException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.masquerelay.protocol.tunnel.EmbeddedQuicChannel;
import org.masquerelay.protocol.tunnel.EmbeddedQuicStreamChannel;

/**
 * The fixed request phases of {@link RelayRequestHandler} on socket-free QUIC doubles: admit, then
 * target, then open, then exactly one response (docs/architecture.md §3): a 2xx that hands the
 * stream to the upstream's data phase, or an error with the §3 status and {@code proxy-status},
 * followed by FIN.
 */
class RelayRequestHandlerTest {
    private static final String PROXY_NAME = "ingress";

    /** Where a refusal comes from. */
    enum Phase {
        ADMIT,
        TARGET,
        OPEN_THROWS,
        OPEN_FAILS,
        RESPONSE_HEADERS
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RelayMetrics metrics =
            new RelayMetrics(registry, "test", "tunnels", "QUIC connections", "Open tunnels");
    private final EmbeddedQuicChannel connection = new EmbeddedQuicChannel();
    private final EmbeddedQuicStreamChannel stream = new EmbeddedQuicStreamChannel(connection, 0);
    private final EmbeddedChannel upstreamChannel = new EmbeddedChannel();
    private final List<String> calls = new ArrayList<>();
    private final TestHandler handler = new TestHandler();

    private RuntimeException admitFailure;
    private RuntimeException targetFailure;
    private RuntimeException openFailure;
    private RuntimeException responseHeadersFailure;
    private Promise<Upstream> opening;
    private ChannelHandlerContext started;
    private int writtenBeforeStart = -1;
    private boolean draining;

    /** A relay whose phases record that they ran and refuse when told to. */
    private final class TestHandler extends RelayRequestHandler<QuicStreamChannel, String> {
        TestHandler() {
            super(metrics, PROXY_NAME, () -> draining);
        }

        @Override
        protected void admit(QuicStreamChannel s, Http3Headers headers) {
            calls.add("admit");
            throwIfSet(admitFailure);
        }

        @Override
        protected String target(QuicStreamChannel s, Http3Headers headers) {
            calls.add("target");
            throwIfSet(targetFailure);
            return headers.path().toString();
        }

        @Override
        protected Future<Upstream> open(QuicStreamChannel s, String target) {
            calls.add("open " + target);
            throwIfSet(openFailure);
            opening = s.eventLoop().newPromise();
            return opening;
        }

        @Override
        protected void responseHeaders(QuicStreamChannel s, Http3Headers headers) {
            calls.add("responseHeaders after " + headers.status() + " " + headers.get("capsule-protocol"));
            throwIfSet(responseHeadersFailure);
            headers.set("x-relay", "test");
        }

        private void throwIfSet(RuntimeException e) {
            if (e != null) {
                throw e;
            }
        }
    }

    RelayRequestHandlerTest() {
        stream.pipeline().addLast(handler);
    }

    @AfterEach
    void finish() {
        stream.finishAndReleaseAll();
        connection.finishAndReleaseAll();
        upstreamChannel.finishAndReleaseAll();
    }

    // ---- phases ----

    @Test
    void phasesRunInOrderAndTheResponseWaitsForOpen() {
        writeRequest();

        assertThat(calls).containsExactly("admit", "target", "open /target");
        assertThat(written()).as("nothing before open completes").isEmpty();
        assertThat(metrics.tunnels()).isZero();
    }

    @Test
    void aRefusalInAdmitStopsBeforeTargetAndOpen() {
        admitFailure = new RelayException(ProxyErrorType.CONNECTION_LIMIT_REACHED, Side.INTERNAL, "relay is draining");

        writeRequest();

        assertThat(calls).containsExactly("admit");
        assertOneErrorResponse("503", "ingress; error=connection_limit_reached; details=\"relay is draining\"");
    }

    @Test
    void aDrainingRelayRefusesBeforeAnyPhase() {
        draining = true;

        writeRequest();

        assertThat(calls).isEmpty();
        assertOneErrorResponse("503", "ingress; error=connection_limit_reached; details=\"relay is draining\"");
    }

    @Test
    void aRefusalInTargetStopsBeforeOpen() {
        targetFailure = new RelayException(ProxyErrorType.HTTP_REQUEST_ERROR, Side.DOWNSTREAM, null);

        writeRequest();

        assertThat(calls).containsExactly("admit", "target");
        assertOneErrorResponse("400", "ingress; error=http_request_error");
    }

    static Stream<Arguments> phasesAndErrors() {
        List<Arguments> all = new ArrayList<>();
        for (Phase phase : Phase.values()) {
            for (ProxyErrorType type : ProxyErrorType.values()) {
                Supplier<RelayException> e = () -> new RelayException(type, Side.DOWNSTREAM, "refused");
                all.add(Arguments.of(
                        phase,
                        type.token(),
                        e,
                        Integer.toString(ArchitectureStatusTable.STATUS.get(type.token())),
                        null));
            }
            Supplier<RelayException> auth = () -> RelayException.authenticationRequired("refused", "PrivateToken x");
            all.add(Arguments.of(
                    phase,
                    "http_request_denied",
                    auth,
                    Integer.toString(ArchitectureStatusTable.PROXY_AUTHENTICATION_REQUIRED),
                    "PrivateToken x"));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {3}")
    @MethodSource("phasesAndErrors")
    void aRelayExceptionFromAnyPhaseIsOneResponseWithTheTableStatusThenFin(
            Phase phase, String token, Supplier<RelayException> error, String status, String proxyAuthenticate) {
        RelayException e = error.get();
        switch (phase) {
            case ADMIT -> admitFailure = e;
            case TARGET -> targetFailure = e;
            case OPEN_THROWS -> openFailure = e;
            case RESPONSE_HEADERS -> responseHeadersFailure = e;
            case OPEN_FAILS -> {}
        }

        writeRequest();
        if (phase == Phase.OPEN_FAILS) {
            assertThat(written()).isEmpty();
            opening.setFailure(e);
        } else if (phase == Phase.RESPONSE_HEADERS) {
            opening.setSuccess(udpUpstream());
        }

        Http3Headers h = assertOneErrorResponse(status, "ingress; error=" + token + "; details=\"refused\"");
        assertThat(
                        h.get("proxy-authenticate") == null
                                ? null
                                : h.get("proxy-authenticate").toString())
                .isEqualTo(proxyAuthenticate);
        if (proxyAuthenticate == null) {
            assertThat(errors(token)).isOne();
        } else {
            // A 407 is a challenge, not an error: every token-less first request gets one.
            assertThat(errors(token)).isZero();
            assertThat(metrics.challenges("refused")).isOne();
        }
        if (phase == Phase.RESPONSE_HEADERS) {
            assertThat(upstreamChannel.isOpen()).as("upstream closed").isFalse();
        }
    }

    @Test
    void aFailureOfOpenThatIsNotARelayExceptionIsProxyInternalError() {
        writeRequest();
        opening.setFailure(new IOException("secret target unreachable"));

        // docs/architecture.md §3: no echo, the cause's message is not the details.
        assertOneErrorResponse("500", "ingress; error=proxy_internal_error");
        assertThat(errors("proxy_internal_error")).isOne();
    }

    @Test
    void anUnexpectedExceptionThrownByAPhaseIsProxyInternalError() {
        targetFailure = new IllegalStateException("bug");

        writeRequest();

        // docs/architecture.md §3: every request gets exactly one response.
        assertOneErrorResponse("500", "ingress; error=proxy_internal_error");
    }

    // ---- success ----

    @Test
    void successWrites200WithUpstreamAndRelayHeadersThenStartsTheUpstream() {
        writeRequest();
        opening.setSuccess(udpUpstream());

        assertThat(calls).containsExactly("admit", "target", "open /target", "responseHeaders after 200 ?1", "start");
        List<Object> out = written();
        assertThat(out).hasSize(1);
        Http3Headers h = ((Http3HeadersFrame) out.get(0)).headers();
        assertThat(h.status().toString()).isEqualTo("200");
        assertThat(h.get("capsule-protocol").toString()).isEqualTo("?1");
        assertThat(h.get("x-relay").toString()).isEqualTo("test");
        assertThat(h.size()).isEqualTo(3);
        assertThat(writtenBeforeStart).as("the 2xx is written before start").isOne();
        assertThat(started).isNotNull();
        assertThat(started.handler()).isSameAs(handler);
        assertThat(stream.isOpen()).isTrue();
        assertThat(stream.isOutputShutdown()).isFalse();
        assertThat(errors("proxy_internal_error")).isZero();
    }

    @Test
    void anOpenTunnelIsCountedUntilTheUpstreamChannelCloses() {
        writeRequest();
        opening.setSuccess(udpUpstream());

        assertThat(metrics.tunnels()).isOne();
        assertThat(registry.get("test_tunnels_opened").counter().count()).isEqualTo(1.0);

        upstreamChannel.close();

        assertThat(metrics.tunnels()).isZero();
        written();
    }

    @Test
    void anUpstreamThatOpensAfterTheStreamClosedIsClosedWithoutAResponse() {
        writeRequest();
        stream.close();
        opening.setSuccess(udpUpstream());

        assertThat(upstreamChannel.isOpen()).isFalse();
        assertThat(calls).doesNotContain("start");
        assertThat(written()).isEmpty();
        assertThat(metrics.tunnels()).isZero();
    }

    @Test
    void aFinWhileOpeningClosesTheStreamAndTheLateUpstream() {
        writeRequest();
        stream.writeInboundFin();

        assertThat(stream.isOpen()).isFalse();
        opening.setSuccess(udpUpstream());

        assertThat(upstreamChannel.isOpen()).isFalse();
        assertThat(written()).isEmpty();
        assertThat(metrics.tunnels()).isZero();
    }

    @Test
    void aStreamErrorWhileOpeningClosesTheStreamWithoutAResponse() {
        writeRequest();
        stream.pipeline().fireExceptionCaught(new IOException("reset by peer"));

        assertThat(stream.isOpen()).isFalse();
        opening.setFailure(new RelayException(ProxyErrorType.CONNECTION_REFUSED, Side.UPSTREAM, null));

        assertThat(written()).isEmpty();
        assertThat(errors("connection_refused")).isZero();
    }

    // ---- DATA and the one response ----

    @Test
    void dataWhileOpeningIsHeldThenGivenToTheDataPhaseInOrderWithTheFinAfterIt() {
        List<Object> dataPhase = new ArrayList<>();
        writeRequest();
        stream.writeInbound(new DefaultHttp3DataFrame(stream.alloc().buffer().writeBytes(new byte[] {1, 2, 3})));
        stream.writeInbound(new DefaultHttp3DataFrame(stream.alloc().buffer().writeBytes(new byte[] {4, 5})));
        stream.writeInboundFin(); // the client half-closes after its data: not a cancel

        assertThat(stream.isOpen()).isTrue();
        assertThat(written()).isEmpty();
        opening.setSuccess(recordingUpstream(dataPhase, ctx -> {
            // Arrives while the data phase starts: must not overtake the held frames.
            ctx.pipeline()
                    .fireChannelRead(
                            new DefaultHttp3DataFrame(ctx.alloc().buffer().writeByte(6)));
        }));

        assertThat(written()).hasSize(1);
        assertThat(dataPhase).containsExactly("1,2,3", "4,5", "FIN", "6");
        assertThat(metrics.drops("before_response")).isZero();
        assertThat(stream.pipeline().names()).doesNotContain(EARLY_DATA_HOLDER);
    }

    @Test
    void dataHeldWhileOpeningIsReleasedWhenTheRequestFails() {
        writeRequest();
        ByteBuf early = stream.alloc().buffer().writeBytes(new byte[] {1, 2, 3});
        stream.writeInbound(new DefaultHttp3DataFrame(early));
        assertThat(early.refCnt()).isOne();

        opening.setFailure(new RelayException(ProxyErrorType.CONNECTION_REFUSED, Side.UPSTREAM, null));

        assertThat(status(written().get(0))).isEqualTo("502");
        assertThat(stream.isOpen()).isFalse();
        assertThat(early.refCnt()).isZero();
    }

    @Test
    void pastTheLimitTheStreamIsNotReadUntilTheDataPhaseStarts() {
        writeRequest();
        stream.writeInbound(
                new DefaultHttp3DataFrame(stream.alloc().buffer().writeZero(RelayRequestHandler.EARLY_DATA_LIMIT)));

        assertThat(stream.config().isAutoRead())
                .as("flow control holds the rest")
                .isFalse();
        List<Object> dataPhase = new ArrayList<>();
        opening.setSuccess(recordingUpstream(dataPhase, ctx -> {}));

        assertThat(stream.config().isAutoRead()).isTrue();
        assertThat(dataPhase).hasSize(1);
    }

    @Test
    void dataBeforeTheRequestIsReleased() {
        ByteBuf early = stream.alloc().buffer().writeBytes(new byte[] {1, 2, 3});
        stream.writeInbound(new DefaultHttp3DataFrame(early));

        assertThat(early.refCnt()).isZero();
        assertThat(stream.<Object>readInbound()).isNull();
        assertThat(written()).isEmpty();
    }

    // ---- capsule-protocol (RFC 9297 §3.4) ----

    @Test
    void aConnectUdpRequestWithoutCapsuleProtocolIsServedWithoutIt() {
        Http3Headers h = request();
        h.remove("capsule-protocol");
        stream.writeInbound(new DefaultHttp3HeadersFrame(h));
        opening.setSuccess(udpUpstream());

        Http3Headers ok = ((Http3HeadersFrame) written().get(0)).headers();
        assertThat(ok.status().toString()).isEqualTo("200");
        assertThat(ok.get("capsule-protocol")).as("no capsules on this stream").isNull();
    }

    @Test
    void capsuleProtocolIsAStructuredBoolean() {
        assertThat(RelayRequestHandler.capsuleProtocol(withCapsuleProtocol("?1")))
                .isTrue();
        assertThat(RelayRequestHandler.capsuleProtocol(withCapsuleProtocol("?1;x=2")))
                .isTrue();
        assertThat(RelayRequestHandler.capsuleProtocol(withCapsuleProtocol("?0")))
                .isFalse();
        assertThat(RelayRequestHandler.capsuleProtocol(withCapsuleProtocol("1")))
                .isFalse();
        assertThat(RelayRequestHandler.capsuleProtocol(withCapsuleProtocol("?1, ?1")))
                .isFalse();
        assertThat(RelayRequestHandler.capsuleProtocol(new DefaultHttp3Headers()))
                .isFalse();
    }

    // ---- malformed requests (RFC 9114 §4.1.2) ----

    @ParameterizedTest
    @MethodSource("forbiddenCharacters")
    void aFieldValueWithCrLfOrNulResetsTheStreamWithH3MessageError(String value) {
        Http3Headers h = new DefaultHttp3Headers(false);
        h.add(request());
        h.set("x-any", value);
        stream.writeInbound(new DefaultHttp3HeadersFrame(h));

        assertThat(calls).isEmpty();
        assertThat(written()).as("no response to a malformed request").isEmpty();
        assertThat(stream.outputShutdownError()).isEqualTo(H3_MESSAGE_ERROR);
        assertThat(stream.inputShutdownError()).isEqualTo(H3_MESSAGE_ERROR);
        assertThat(stream.isOpen()).isFalse();
    }

    static Stream<String> forbiddenCharacters() {
        return Stream.of("a\r\nx-injected: 1", "a\rb", "a\nb", "a\0b");
    }

    @Test
    void theCodecsHeaderValidationErrorResetsTheStreamWithH3MessageError() {
        stream.pipeline()
                .fireExceptionCaught(new Http3HeadersValidationException(
                        "Not all mandatory pseudo-headers included for Extended CONNECT."));

        assertThat(stream.outputShutdownError()).isEqualTo(H3_MESSAGE_ERROR);
        assertThat(stream.isOpen()).isFalse();
        assertThat(calls).isEmpty();
    }

    @Test
    void afterThe2xxThereIsNeverASecondResponse() {
        List<Object> dataPhase = new ArrayList<>();
        writeRequest();
        opening.setSuccess(new Upstream(
                upstreamChannel,
                new DefaultHttp3Headers(),
                ctx -> {
                    calls.add("start");
                    started = ctx;
                    ctx.pipeline().replace(ctx.handler(), "data", new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext c, Object msg) {
                            dataPhase.add(msg);
                            ReferenceCountUtil.release(msg);
                        }
                    });
                },
                "tcp flow"));
        assertThat(written()).hasSize(1);

        stream.writeInbound(new DefaultHttp3DataFrame(stream.alloc().buffer().writeByte(7)));
        stream.writeInbound(new DefaultHttp3HeadersFrame(new DefaultHttp3Headers().add("trailer", "x")));
        upstreamChannel.close();

        assertThat(dataPhase).hasSize(2);
        assertThat(metrics.drops("before_response")).isZero();
        assertThat(written()).as("no second response").isEmpty();
        assertThat(stream.isOutputShutdown()).isFalse();
    }

    @Test
    void trailersAndAFinAfterThe2xxReachingTheRequestHandlerChangeNothing() {
        writeRequest();
        opening.setSuccess(udpUpstream());
        assertThat(written()).hasSize(1);

        // A start that leaves the request handler in place: it still ignores what follows.
        stream.writeInbound(new DefaultHttp3HeadersFrame(new DefaultHttp3Headers().add("trailer", "x")));
        stream.writeInboundFin();

        assertThat(calls).containsOnlyOnce("admit", "open /target", "start");
        assertThat(written()).isEmpty();
        assertThat(stream.isOpen()).isTrue();
        assertThat(stream.isOutputShutdown()).isFalse();
        assertThat(metrics.tunnels()).isOne();
    }

    @Test
    void aSecondHeadersFrameWhileOpeningDoesNotRunThePhasesAgain() {
        writeRequest();
        writeRequest();
        opening.setSuccess(udpUpstream());

        assertThat(calls).containsOnlyOnce("admit", "target", "open /target");
        assertThat(written()).hasSize(1);
    }

    // ---- helpers ----

    private static final String EARLY_DATA_HOLDER = "RelayRequestHandler$EarlyData#0";
    private static final int H3_MESSAGE_ERROR = 0x10e; // RFC 9114 §8.1

    private static Http3Headers withCapsuleProtocol(String value) {
        Http3Headers h = new DefaultHttp3Headers();
        h.set("capsule-protocol", value);
        return h;
    }

    private static String status(Object frame) {
        return ((Http3HeadersFrame) frame).headers().status().toString();
    }

    /** A data phase that replaces the request handler and records what reaches it. */
    private Upstream recordingUpstream(
            List<Object> dataPhase, java.util.function.Consumer<ChannelHandlerContext> more) {
        return new Upstream(
                upstreamChannel,
                new DefaultHttp3Headers(),
                ctx -> {
                    ctx.pipeline().replace(ctx.handler(), "data", new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext c, Object msg) {
                            if (msg instanceof Http3DataFrame f) {
                                StringBuilder b = new StringBuilder();
                                for (int i = f.content().readerIndex();
                                        i < f.content().writerIndex();
                                        i++) {
                                    b.append(b.length() == 0 ? "" : ",")
                                            .append(f.content().getByte(i));
                                }
                                dataPhase.add(b.length() > 64 ? "big" : b.toString());
                            }
                            ReferenceCountUtil.release(msg);
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext c, Object evt) {
                            if (evt instanceof ChannelInputShutdownEvent) {
                                dataPhase.add("FIN");
                            }
                        }
                    });
                    more.accept(ctx);
                },
                "tcp flow");
    }

    private void writeRequest() {
        stream.writeInbound(new DefaultHttp3HeadersFrame(request()));
    }

    private static Http3Headers request() {
        Http3Headers h = new DefaultHttp3Headers()
                .method("CONNECT")
                .protocol("connect-udp")
                .scheme("https")
                .authority("ingress.example")
                .path("/target");
        h.set("capsule-protocol", "?1");
        return h;
    }

    private Upstream udpUpstream() {
        Http3Headers h = new DefaultHttp3Headers();
        h.set("capsule-protocol", "?1");
        return new Upstream(
                upstreamChannel,
                h,
                ctx -> {
                    calls.add("start");
                    started = ctx;
                    writtenBeforeStart = stream.outboundMessages().size();
                },
                "udp tunnel");
    }

    /** Everything the handler wrote to the stream since the last call. */
    private List<Object> written() {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = stream.readOutbound()) != null; ) {
            out.add(m);
        }
        return out;
    }

    private double errors(String token) {
        Counter c = registry.find("test_errors").tag("type", token).counter();
        return c == null ? 0 : c.count();
    }

    /** Exactly one response, an error, then FIN (not RESET_STREAM) and close; no tunnel started. */
    private Http3Headers assertOneErrorResponse(String status, String proxyStatus) {
        List<Object> out = written();
        assertThat(out).hasSize(1);
        Http3Headers h = ((Http3HeadersFrame) out.get(0)).headers();
        assertThat(h.status().toString()).isEqualTo(status);
        assertThat(h.get("proxy-status").toString()).isEqualTo(proxyStatus);
        assertThat(stream.outputShutdownError()).as("FIN").isZero();
        assertThat(stream.isOpen()).isFalse();
        assertThat(calls).doesNotContain("start");
        assertThat(metrics.tunnels()).isZero();
        return h;
    }
}
