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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.datagram.HttpDatagram;
import org.masquerelay.protocol.tunnel.EmbeddedQuicChannel.CloseCall;
import org.masquerelay.protocol.varint.VarInt;

/**
 * The connection-level HTTP/3 Datagram demultiplexer (RFC 9297 §2.1) on a socket-free QUIC
 * connection: inbound messages of {@link EmbeddedQuicChannel} stand for QUIC DATAGRAM frame
 * payloads.
 */
class HttpDatagramDemuxHandlerTest {
    /** H3_DATAGRAM_ERROR, as registered by RFC 9297 §5.2. */
    private static final int H3_DATAGRAM_ERROR = 0x33;

    private final RecordingMetrics metrics = new RecordingMetrics();
    private final HttpDatagramDemuxHandler demux = new HttpDatagramDemuxHandler(metrics);
    private final List<Object> eventsAfterDemux = new ArrayList<>();
    private final EmbeddedQuicChannel connection = new EmbeddedQuicChannel(demux, new ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            eventsAfterDemux.add(evt);
        }
    });

    @AfterEach
    void finish() {
        connection.finishAndReleaseAll();
    }

    @Test
    void aDatagramGoesToTheReceiverOfItsQuarterStreamIdWithTheIdConsumed() {
        List<ByteBuf> one = new ArrayList<>();
        List<ByteBuf> two = new ArrayList<>();
        demux.register(1, one::add);
        demux.register(2, two::add);
        ByteBuf datagram = Hex.buf(
                "02" // quarter stream ID 2, so stream 8
                        + "00" // context ID 0 (RFC 9298 §5), not the demux's business
                        + "c0ffee");

        connection.writeInbound(datagram);

        assertThat(one).isEmpty();
        assertThat(two).hasSize(1);
        ByteBuf received = two.get(0);
        assertThat(Hex.of(received)).isEqualTo("00c0ffee");
        assertThat(received.refCnt()).as("the receiver owns the datagram").isOne();
        received.release();
        assertThat(datagram.refCnt()).isZero();
        assertThat(connection.closes()).isEmpty();
        assertThat(metrics.dropped).isEmpty();
        assertThat(connection.<Object>readInbound()).as("nothing passes on").isNull();
    }

    @Test
    void theLargestLegalQuarterStreamIdIsRouted() {
        List<ByteBuf> got = new ArrayList<>();
        demux.register(HttpDatagram.MAX_QUARTER_STREAM_ID, got::add);
        ByteBuf datagram = ByteBufAllocator.DEFAULT.buffer();
        VarInt.write(datagram, HttpDatagram.MAX_QUARTER_STREAM_ID); // 2^60-1, RFC 9297 §2.1
        datagram.writeByte(0);

        connection.writeInbound(datagram);

        assertThat(got).hasSize(1);
        assertThat(Hex.of(got.get(0))).isEqualTo("00");
        got.get(0).release();
        assertThat(datagram.refCnt()).isZero();
        assertThat(connection.closes()).isEmpty();
    }

    @Test
    void aDatagramForAStreamWithoutAReceiverIsDroppedAndReleased() {
        // RFC 9297 §2.1 lets the receiver drop (or briefly buffer) datagrams of unknown streams.
        List<ByteBuf> got = new ArrayList<>();
        demux.register(1, got::add);
        ByteBuf datagram = Hex.buf("07 00 c0ffee");

        connection.writeInbound(datagram);

        assertThat(got).isEmpty();
        assertThat(datagram.refCnt()).isZero();
        assertThat(metrics.dropped).containsExactly("unknown_stream");
        assertThat(connection.closes()).isEmpty();
        assertThat(connection.isActive()).isTrue();
    }

    @Test
    void anUnregisteredStreamReceivesNothingMore() {
        List<ByteBuf> got = new ArrayList<>();
        demux.register(1, got::add);
        assertThat(demux.registered()).isOne();

        demux.unregister(1);
        ByteBuf datagram = Hex.buf("01 00 c0ffee");
        connection.writeInbound(datagram);

        assertThat(demux.registered()).isZero();
        assertThat(got).isEmpty();
        assertThat(datagram.refCnt()).isZero();
        assertThat(metrics.dropped).containsExactly("unknown_stream");
    }

    @Test
    void aQuarterStreamIdCannotBeRegisteredTwice() {
        List<ByteBuf> first = new ArrayList<>();
        demux.register(1, first::add);

        assertThatThrownBy(() -> demux.register(1, b -> {
                    throw new AssertionError("the second receiver must never be called");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("quarter stream id 1 already registered");

        connection.writeInbound(Hex.buf("01 00"));
        assertThat(first).hasSize(1);
        first.get(0).release();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "an empty datagram, ''",
        "a truncated 2-byte quarter stream ID, 40",
        "a truncated 8-byte quarter stream ID, c0 00 00 00",
        "quarter stream ID 2^60 (one above the largest), d0 00 00 00 00 00 00 00 00",
        "quarter stream ID 2^62-1, ff ff ff ff ff ff ff ff 00"
    })
    void aMalformedDatagramClosesTheConnectionWithH3DatagramError(String what, String hex) {
        // RFC 9297 §2.1: too short for the Quarter Stream ID, or above 2^60-1, is a connection
        // error of type H3_DATAGRAM_ERROR.
        List<ByteBuf> got = new ArrayList<>();
        demux.register(0, got::add);
        ByteBuf datagram = Hex.buf(hex);

        connection.writeInbound(datagram);

        assertThat(connection.closes()).singleElement().satisfies(c -> {
            assertThat(c.applicationClose()).isTrue();
            assertThat(c.error()).isEqualTo(H3_DATAGRAM_ERROR);
            assertThat(c.reason()).isNotEmpty();
        });
        assertThat(connection.isOpen()).isFalse();
        assertThat(metrics.dropped).containsExactly("malformed");
        assertThat(got).isEmpty();
        assertThat(datagram.refCnt()).isZero();
    }

    @Test
    void messagesThatAreNotDatagramsPassOn() {
        Object other = "not a datagram";

        connection.writeInbound(other);

        assertThat(connection.<Object>readInbound()).isSameAs(other);
        assertThat(metrics.dropped).isEmpty();
    }

    @Test
    void datagramsMayBeSentOnlyOnceQuicNegotiatedThemAndThePeerSentSettingsH3Datagram() {
        // RFC 9297 §2.1.1: not before SETTINGS_H3_DATAGRAM=1 was both sent and received; and
        // QUIC must have negotiated DATAGRAM frames (RFC 9221 §3).
        assertThat(demux.maxDatagramLength()).isEqualTo(-1);

        connection.negotiateDatagrams(1200);
        assertThat(demux.maxDatagramLength()).as("without the peer's SETTINGS").isEqualTo(-1);

        peerSettings(connection, true);
        assertThat(demux.maxDatagramLength()).isEqualTo(1200);
        assertThat(eventsAfterDemux)
                .as("the extension event goes on down the pipeline")
                .singleElement()
                .isInstanceOf(QuicDatagramExtensionEvent.class);
    }

    @Test
    void aPeerThatSetsH3DatagramToZeroGetsNoDatagrams() {
        connection.negotiateDatagrams(1200);
        peerSettings(connection, false);

        assertThat(demux.maxDatagramLength()).isEqualTo(-1);
    }

    @Test
    void thePeerSettingsAloneDoNotAllowDatagrams() {
        peerSettings(connection, true);

        assertThat(demux.maxDatagramLength()).isEqualTo(-1);
    }

    @Test
    void ofFindsTheDemuxOfAConnectionOrSaysThereIsNone() {
        assertThat(HttpDatagramDemuxHandler.of(connection)).isSameAs(demux);

        EmbeddedChannel bare = new EmbeddedChannel();
        try {
            assertThatThrownBy(() -> HttpDatagramDemuxHandler.of(bare))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("no HttpDatagramDemuxHandler on ");
        } finally {
            bare.finishAndReleaseAll();
        }
    }

    @Test
    void theCloseReasonIsAtMost64BytesAndOptional() {
        HttpDatagramDemuxHandler.closeWithDatagramError(connection, "x".repeat(100));

        assertThat(connection.closes()).containsExactly(new CloseCall(true, H3_DATAGRAM_ERROR, "x".repeat(64)));

        EmbeddedQuicChannel other = new EmbeddedQuicChannel();
        HttpDatagramDemuxHandler.closeWithDatagramError(other, null);
        assertThat(other.closes()).containsExactly(new CloseCall(true, H3_DATAGRAM_ERROR, ""));
    }

    @Test
    void aClosedConnectionIsNotClosedAgain() {
        connection.close();

        HttpDatagramDemuxHandler.closeWithDatagramError(connection, "late");

        assertThat(connection.closes()).isEmpty();
    }

    /** The peer's SETTINGS frame (RFC 9114 §7.2.4) arriving on its control stream. */
    static void peerSettings(EmbeddedQuicChannel connection, boolean h3Datagram) {
        EmbeddedQuicStreamChannel control = new EmbeddedQuicStreamChannel(connection, 3);
        try {
            control.pipeline().addLast(new PeerSettingsHandler());
            control.writeInbound(new DefaultHttp3SettingsFrame(new Http3Settings().enableH3Datagram(h3Datagram)));
        } finally {
            control.finishAndReleaseAll();
        }
    }
}
