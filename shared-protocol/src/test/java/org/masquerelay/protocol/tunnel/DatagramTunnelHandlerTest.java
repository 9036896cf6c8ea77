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

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3UnknownFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.varint.VarInt;

/**
 * The open phase of a connect-udp stream (RFC 9298 §3-§5) on socket-free QUIC doubles: HTTP
 * Datagrams in from the connection (through the demux) and DATAGRAM capsules in from the stream
 * reach the local side; UDP payloads out go as QUIC datagrams or capsules; and every malformed
 * input ends the connection or the stream with the code the RFCs name. The tunnel is on stream 4,
 * so its quarter stream ID is 1 (RFC 9297 §2.1).
 */
class DatagramTunnelHandlerTest {
    /** RFC 9297 §5.2. */
    private static final int H3_DATAGRAM_ERROR = 0x33;
    /** RFC 9114 §8.1: a malformed message, the stream error for a malformed capsule (RFC 9297 §3.3). */
    private static final int H3_MESSAGE_ERROR = 0x10e;

    private final RecordingMetrics metrics = new RecordingMetrics();
    private final HttpDatagramDemuxHandler demux = new HttpDatagramDemuxHandler(metrics);
    private final EmbeddedQuicChannel connection = new EmbeddedQuicChannel(demux);
    private final EmbeddedQuicStreamChannel stream = new EmbeddedQuicStreamChannel(connection, 4);
    private final RecordingLocal local = new RecordingLocal();
    private final DatagramTunnelHandler tunnel = new DatagramTunnelHandler(stream, local, metrics);

    DatagramTunnelHandlerTest() {
        stream.pipeline().addLast(tunnel);
    }

    @AfterEach
    void finish() {
        stream.finishAndReleaseAll();
        connection.finishAndReleaseAll();
        assertThat(local.drain()).as("payloads no test looked at").isEmpty();
    }

    // ---- registration ----

    @Test
    void addingTheHandlerRegistersItsQuarterStreamId() {
        assertThat(demux.registered()).isOne();

        EmbeddedQuicStreamChannel second = new EmbeddedQuicStreamChannel(connection, 8);
        second.pipeline().addLast(new DatagramTunnelHandler(second, new RecordingLocal(), metrics));
        assertThat(demux.registered()).isEqualTo(2);

        second.close();
        assertThat(demux.registered()).isOne();
    }

    @Test
    void closingTheStreamUnregistersAndClosesTheLocalSideOnce() {
        stream.close();

        assertThat(demux.registered()).isZero();
        assertThat(local.closed).isOne();

        // RFC 9297 §2.1: datagrams after the receive side closed are silently dropped.
        ByteBuf late = Hex.buf("01 00 68656c6c6f");
        connection.writeInbound(late);
        assertThat(late.refCnt()).isZero();
        assertThat(metrics.dropped).containsExactly("unknown_stream");
        assertThat(connection.closes()).isEmpty();
    }

    @Test
    void thePeersFinClosesTheTunnel() {
        stream.writeInboundFin();

        assertThat(stream.isOpen()).isFalse();
        assertThat(stream.outputShutdownError()).as("a clean close, no reset").isNull();
        assertThat(local.closed).isOne();
        assertThat(demux.registered()).isZero();
    }

    @Test
    void aStreamErrorEndsTheTunnel() {
        stream.pipeline().fireExceptionCaught(new IOException("stream reset by peer"));

        assertThat(stream.isOpen()).isFalse();
        assertThat(local.closed).isOne();
    }

    // ---- HTTP Datagrams from the peer (QUIC DATAGRAM frames) ----

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "a payload, 01 00 68656c6c6f, 68656c6c6f",
        "an empty payload (RFC 9298 §5 allows it), 01 00, ''",
        "context ID 0 in a 2-byte encoding, 01 4000 68656c6c6f, 68656c6c6f"
    })
    void anHttpDatagramWithContextIdZeroReachesTheLocalSide(String what, String datagram, String udpPayload) {
        ByteBuf in = Hex.buf(datagram);

        connection.writeInbound(in);

        assertThat(local.drain()).containsExactly(udpPayload);
        assertThat(in.refCnt()).isZero();
        assertThat(metrics.bytesFromPeer).isEqualTo(udpPayload.length() / 2);
        assertThat(connection.closes()).isEmpty();
    }

    @ParameterizedTest(name = "context ID {1}")
    @CsvSource({"01 02 68656c6c6f, 2", "01 41 00 68656c6c6f, 256", "01 ff ff ff ff ff ff ff ff 00, 2^62-1"})
    void anHttpDatagramWithAnUnknownContextIdIsDropped(String datagram, String contextId) {
        // RFC 9298 §4, §5: only context ID 0 is registered (UDP payloads); others are dropped.
        ByteBuf in = Hex.buf(datagram);

        connection.writeInbound(in);

        assertThat(local.drain()).isEmpty();
        assertThat(in.refCnt()).isZero();
        assertThat(metrics.dropped).containsExactly("unknown_context");
        assertThat(metrics.bytesFromPeer).isZero();
        assertThat(connection.closes()).isEmpty();
        assertThat(stream.isActive()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"no context ID, 01", "a truncated 2-byte context ID, 01 40", "a truncated 8-byte context ID, 01 c0 00"})
    void anHttpDatagramWithoutAContextIdClosesTheConnectionWithH3DatagramError(String what, String datagram) {
        ByteBuf in = Hex.buf(datagram);

        connection.writeInbound(in);

        assertThat(connection.closes()).singleElement().satisfies(c -> {
            assertThat(c.applicationClose()).isTrue();
            assertThat(c.error()).isEqualTo(H3_DATAGRAM_ERROR);
        });
        assertThat(metrics.dropped).containsExactly("malformed");
        assertThat(local.drain()).isEmpty();
        assertThat(in.refCnt()).isZero();
    }

    // ---- DATAGRAM capsules from the peer (RFC 9297 §3.5) ----

    @Test
    void aDatagramCapsuleReachesTheLocalSide() {
        ByteBuf content = Hex.buf(
                "00" // capsule type DATAGRAM
                        + "06" // capsule length
                        + "00" // context ID 0
                        + "68656c6c6f");

        stream.writeInbound(new DefaultHttp3DataFrame(content));

        assertThat(local.drain()).containsExactly("68656c6c6f");
        assertThat(content.refCnt()).isZero();
        assertThat(metrics.bytesFromPeer).isEqualTo(5);
    }

    @Test
    void capsulesSplitAcrossDataFramesAreReassembled() {
        // Two DATAGRAM capsules and, between them, one of an unknown type, which RFC 9297 §3.2
        // says to skip; sent one byte per DATA frame.
        byte[] bytes = Hex.bytes("00 04 00 616263" + "17 02 abcd" + "00 03 00 7879");
        List<ByteBuf> chunks = new ArrayList<>();

        for (byte b : bytes) {
            ByteBuf chunk = ByteBufAllocator.DEFAULT.buffer(1).writeByte(b);
            chunks.add(chunk);
            stream.writeInbound(new DefaultHttp3DataFrame(chunk));
        }

        assertThat(local.drain()).containsExactly("616263", "7879");
        assertThat(chunks).allSatisfy(c -> assertThat(c.refCnt()).isZero());
        assertThat(metrics.dropped).isEmpty();
    }

    @Test
    void manyCapsulesInOneDataFrameAreDeliveredInOrder() {
        ByteBuf content = Hex.buf("00 02 00 01" + "00 02 00 02" + "00 01 00" + "00 02 00 03");

        stream.writeInbound(new DefaultHttp3DataFrame(content));

        assertThat(local.drain()).containsExactly("01", "02", "", "03");
        assertThat(content.refCnt()).isZero();
    }

    @Test
    void aDatagramCapsuleWithAnUnknownContextIdIsDropped() {
        ByteBuf content = Hex.buf("00 03 02 abcd");

        stream.writeInbound(new DefaultHttp3DataFrame(content));

        assertThat(local.drain()).isEmpty();
        assertThat(content.refCnt()).isZero();
        assertThat(metrics.dropped).containsExactly("unknown_context");
        assertThat(stream.isActive()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "a DATAGRAM capsule without a context ID, 00 00",
        "a DATAGRAM capsule with a truncated context ID, 00 01 40",
        "a capsule longer than the largest UDP payload plus context ID, 00 80 01 00 00"
    })
    void aMalformedCapsuleResetsTheStreamWithH3MessageError(String what, String hex) {
        // RFC 9297 §3.3: a capsule error is a malformed message, for HTTP/3 a stream error of
        // type H3_MESSAGE_ERROR (RFC 9114 §4.1.2): RESET_STREAM and STOP_SENDING.
        ByteBuf content = Hex.buf(hex);

        stream.writeInbound(new DefaultHttp3DataFrame(content));

        assertThat(stream.outputShutdownError()).isEqualTo(H3_MESSAGE_ERROR);
        assertThat(stream.inputShutdownError()).isEqualTo(H3_MESSAGE_ERROR);
        assertThat(stream.isOpen()).isFalse();
        assertThat(local.drain()).isEmpty();
        assertThat(local.closed).isOne();
        assertThat(demux.registered()).isZero();
        assertThat(metrics.dropped).containsExactly("malformed_capsule");
        assertThat(content.refCnt()).isZero();
        assertThat(connection.closes())
                .as("a stream error, not a connection error")
                .isEmpty();
    }

    @Test
    void aPartialCapsuleIsReleasedWhenTheStreamCloses() {
        ByteBuf content = Hex.buf("00 06 00 6865");
        stream.writeInbound(new DefaultHttp3DataFrame(content));
        assertThat(content.refCnt()).as("held until the capsule completes").isOne();

        stream.close();

        assertThat(content.refCnt()).isZero();
        assertThat(local.drain()).isEmpty();
    }

    @Test
    void aFinInTheMiddleOfACapsuleIsAMalformedMessage() {
        stream.writeInbound(new DefaultHttp3DataFrame(Hex.buf("00 06 00 6865")));

        stream.writeInboundFin();

        assertThat(stream.outputShutdownError()).isEqualTo(H3_MESSAGE_ERROR);
        assertThat(local.drain()).isEmpty();
    }

    @Test
    void aUdpPayloadLongerThan65527BytesAbortsTheStream() {
        int udpPayload = 65527 + 1;
        ByteBuf content = ByteBufAllocator.DEFAULT.buffer();
        VarInt.write(content, 0x00); // DATAGRAM
        VarInt.write(content, 1 + udpPayload);
        VarInt.write(content, 0); // context ID 0
        content.writeZero(udpPayload);

        stream.writeInbound(new DefaultHttp3DataFrame(content));

        assertThat(local.drain().size()).as("UDP payloads delivered").isZero();
        assertThat(stream.outputShutdownError()).as("the stream was reset").isNotNull();
        assertThat(content.refCnt()).isZero();
    }

    @Test
    void framesOtherThanDataAreReleasedAndIgnored() {
        // 0x40 is a reserved frame type (RFC 9114 §7.2.8), which Netty passes on as unknown.
        ByteBuf content = Hex.buf("abcd");

        stream.writeInbound(new DefaultHttp3UnknownFrame(0x40, content));

        assertThat(content.refCnt()).isZero();
        assertThat(local.drain()).isEmpty();
        assertThat(stream.isActive()).isTrue();
    }

    // ---- UDP payloads to the peer ----

    @Test
    void beforeDatagramsAreNegotiatedAPayloadGoesAsADatagramCapsuleOnFlush() {
        ByteBuf payload = Hex.buf("68656c6c6f");

        tunnel.sendToPeer(payload);
        assertThat(payload.refCnt()).as("sendToPeer takes ownership").isZero();
        assertThat(stream.<Object>readOutbound()).as("nothing before flush").isNull();
        tunnel.flush();

        Http3DataFrame frame = stream.readOutbound();
        assertThat(Hex.of(frame.content())).isEqualTo("00" + "06" + "00" + "68656c6c6f");
        frame.release();
        assertThat(frame.refCnt()).isZero();
        assertThat(connection.<Object>readOutbound()).isNull();
        assertThat(metrics.bytesToPeer).isEqualTo(5);
    }

    // ---- without the Capsule Protocol (RFC 9297 §3.4) ----

    @Test
    void withoutTheCapsuleProtocolStreamDataIsNotParsedAndNoCapsuleIsSent() {
        tunnel.withoutCapsuleProtocol();
        // A valid DATAGRAM capsule, and what would be a malformed one: neither is read as such.
        ByteBuf content = Hex.buf("00" + "06" + "00" + "68656c6c6f" + "00" + "ff");
        stream.writeInbound(new DefaultHttp3DataFrame(content));

        assertThat(content.refCnt()).isZero();
        assertThat(local.drain()).isEmpty();
        assertThat(stream.outputShutdownError()).as("no reset").isNull();

        ByteBuf payload = Hex.buf("68656c6c6f");
        tunnel.sendToPeer(payload); // datagrams not negotiated: no capsule either
        tunnel.flush();

        assertThat(payload.refCnt()).isZero();
        assertThat(stream.<Object>readOutbound()).isNull();
        assertThat(metrics.dropped).containsExactly("no_datagram_path");
    }

    @Test
    void withoutTheCapsuleProtocolPayloadsStillGoAsQuicDatagrams() {
        tunnel.withoutCapsuleProtocol();
        connection.negotiateDatagrams(1200);
        HttpDatagramDemuxHandlerTest.peerSettings(connection, true);

        tunnel.sendToPeer(Hex.buf("68656c6c6f"));
        tunnel.flush();

        ByteBuf datagram = connection.readOutbound();
        assertThat(Hex.of(datagram)).isEqualTo("01" + "00" + "68656c6c6f");
        datagram.release();
    }

    @Test
    void onceNegotiatedAPayloadGoesAsAQuicDatagramWithQuarterStreamIdAndContextId() {
        connection.negotiateDatagrams(1200);
        HttpDatagramDemuxHandlerTest.peerSettings(connection, true);
        ByteBuf payload = Hex.buf("68656c6c6f");

        tunnel.sendToPeer(payload);
        tunnel.flush();

        ByteBuf datagram = connection.readOutbound();
        // RFC 9297 §2.1: quarter stream ID 4/4 = 1; RFC 9298 §5: context ID 0, then the payload.
        assertThat(Hex.of(datagram)).isEqualTo("01" + "00" + "68656c6c6f");
        datagram.release();
        assertThat(datagram.refCnt()).isZero();
        assertThat(payload.refCnt()).isZero();
        assertThat(stream.<Object>readOutbound()).isNull();
        assertThat(metrics.bytesToPeer).isEqualTo(5);
    }

    @Test
    void aLargeStreamIdIsFramedAsAMultiByteQuarterStreamId() {
        EmbeddedQuicStreamChannel far = new EmbeddedQuicStreamChannel(connection, 4 * 100);
        DatagramTunnelHandler farTunnel = new DatagramTunnelHandler(far, new RecordingLocal(), metrics);
        far.pipeline().addLast(farTunnel);
        connection.negotiateDatagrams(1200);
        HttpDatagramDemuxHandlerTest.peerSettings(connection, true);

        farTunnel.sendToPeer(Hex.buf("ff"));
        farTunnel.flush();

        ByteBuf datagram = connection.readOutbound();
        assertThat(Hex.of(datagram)).isEqualTo("4064" + "00" + "ff"); // 100 as a 2-byte varint
        datagram.release();
        far.finishAndReleaseAll();
    }

    @Test
    void aPayloadTooLargeForOneDatagramFrameIsDroppedNotSentAsACapsule() {
        // RFC 9298 §6.1: the proxy SHOULD drop it rather than fall back to a DATAGRAM capsule.
        // The size that fits is quiche's to judge, as path MTU discovery changes it: it fails the
        // write of a larger one with BUFFER_TOO_SHORT, a BufferUnderflowException in Netty.
        connection.negotiateDatagrams(1200);
        connection.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (((ByteBuf) msg).readableBytes() > 10) {
                    ReferenceCountUtil.release(msg);
                    promise.setFailure(new BufferUnderflowException());
                } else {
                    ctx.write(msg, promise);
                }
            }
        });
        HttpDatagramDemuxHandlerTest.peerSettings(connection, true);
        ByteBuf fits = Hex.buf("0102030405060708"); // 2 bytes of IDs + 8 = 10
        ByteBuf tooLarge = Hex.buf("010203040506070809");

        tunnel.sendToPeer(fits);
        tunnel.sendToPeer(tooLarge);
        tunnel.flush();

        ByteBuf sent = connection.readOutbound();
        assertThat(Hex.of(sent)).isEqualTo("0100" + "0102030405060708");
        sent.release();
        assertThat(connection.<Object>readOutbound()).isNull();
        assertThat(stream.<Object>readOutbound()).isNull();
        assertThat(tooLarge.refCnt()).isZero();
        assertThat(metrics.dropped).containsExactly("too_large");
        assertThat(metrics.bytesToPeer).isEqualTo(8);
    }

    @Test
    void aPayloadForAClosedStreamIsReleasedAndNotSent() {
        stream.close();
        ByteBuf payload = Hex.buf("68656c6c6f");

        tunnel.sendToPeer(payload);
        tunnel.flush();

        assertThat(payload.refCnt()).isZero();
        assertThat(stream.<Object>readOutbound()).isNull();
        assertThat(connection.<Object>readOutbound()).isNull();
        assertThat(metrics.bytesToPeer).isZero();
    }

    // ---- ending the tunnel from the local side ----

    @Test
    void closeEndsTheStreamWithoutAReset() {
        tunnel.close();

        assertThat(stream.isOpen()).isFalse();
        assertThat(stream.outputShutdownError()).isNull();
        assertThat(local.closed).isOne();
    }

    @Test
    void resetStreamSendsTheErrorBothWaysThenCloses() {
        tunnel.resetStream(0x10c); // H3_REQUEST_CANCELLED, RFC 9114 §8.1

        assertThat(stream.outputShutdownError()).isEqualTo(0x10c);
        assertThat(stream.inputShutdownError()).isEqualTo(0x10c);
        assertThat(stream.isOpen()).isFalse();
        assertThat(local.closed).isOne();
        assertThat(tunnel.stream()).isSameAs(stream);
    }
}
