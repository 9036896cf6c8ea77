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
package org.masquerelay.egress.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.masquerelay.config.IpPrefix;

/** The filter in front of the egress's QUIC codec: ingress prefixes pass, anything else is dropped. */
class IngressFilterHandlerTest {

    private static final InetSocketAddress EGRESS = new InetSocketAddress("127.0.0.1", 4434);

    private final IngressFilterHandler filter =
            new IngressFilterHandler(List.of(IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("2001:db8:1::/48")));
    private final EmbeddedChannel channel = new EmbeddedChannel(filter);

    @AfterEach
    void close() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /** A datagram in a direct buffer, which the leak detector tracks (unpooled heap ones it does not). */
    private static DatagramPacket from(String address, int port) {
        return new DatagramPacket(
                Unpooled.directBuffer(16).writeBytes("initial".getBytes(StandardCharsets.US_ASCII)),
                EGRESS,
                new InetSocketAddress(address, port));
    }

    @Test
    void packetsFromAnIngressPrefixPass() {
        DatagramPacket v4 = from("192.0.2.7", 50_000);
        DatagramPacket v6 = from("2001:db8:1:ff::2", 50_001);

        channel.writeInbound(v4, v6);

        DatagramPacket first = channel.readInbound();
        DatagramPacket second = channel.readInbound();
        try {
            assertThat(first).isSameAs(v4);
            assertThat(second).isSameAs(v6);
            assertThat(first.refCnt()).isEqualTo(1);
            assertThat(first.content().toString(StandardCharsets.US_ASCII)).isEqualTo("initial");
            assertThat(filter.dropped()).isZero();
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void packetsFromElsewhereAreDroppedReleasedAndCounted() {
        DatagramPacket outside = from("198.51.100.1", 443);
        DatagramPacket nextPrefix = from("192.0.3.1", 443);
        DatagramPacket otherV6 = from("2001:db8:2::1", 443);

        channel.writeInbound(outside, nextPrefix, otherV6);

        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(outside.refCnt()).isZero();
        assertThat(nextPrefix.refCnt()).isZero();
        assertThat(otherV6.refCnt()).isZero();
        assertThat(filter.dropped()).isEqualTo(3);
    }

    @Test
    void onlyTheStrangersOfAMixedBurstAreDropped() {
        DatagramPacket stranger = from("203.0.113.5", 443);
        DatagramPacket ingress = from("192.0.2.200", 443);

        channel.writeInbound(stranger, ingress);

        DatagramPacket passed = channel.readInbound();
        try {
            assertThat(passed).isSameAs(ingress);
            assertThat(channel.<Object>readInbound()).isNull();
            assertThat(stranger.refCnt()).isZero();
            assertThat(filter.dropped()).isEqualTo(1);
        } finally {
            passed.release();
        }
    }

    @Test
    void anIpv4SenderDoesNotMatchAnIpv6PrefixNorTheReverse() {
        IngressFilterHandler v6Only = new IngressFilterHandler(List.of(IpPrefix.parse("::/0")));
        EmbeddedChannel ch = new EmbeddedChannel(v6Only);
        DatagramPacket v4 = from("192.0.2.7", 443);

        ch.writeInbound(v4);

        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(v4.refCnt()).isZero();
        assertThat(v6Only.dropped()).isEqualTo(1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void withNoIngressPrefixEverythingIsDropped() {
        IngressFilterHandler none = new IngressFilterHandler(List.of());
        EmbeddedChannel ch = new EmbeddedChannel(none);
        DatagramPacket packet = from("192.0.2.7", 443);

        ch.writeInbound(packet);

        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(packet.refCnt()).isZero();
        assertThat(none.dropped()).isEqualTo(1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void otherMessagesPassUntouched() {
        channel.writeInbound("not a datagram");

        assertThat(channel.<Object>readInbound()).isEqualTo("not a datagram");
        assertThat(filter.dropped()).isZero();
    }

    @Test
    void oneSharedFilterCountsTheDropsOfEveryChannel() {
        EmbeddedChannel other = new EmbeddedChannel(filter);

        channel.writeInbound(from("198.51.100.1", 443));
        other.writeInbound(from("198.51.100.2", 443));

        assertThat(filter.dropped()).isEqualTo(2);
        assertThat(other.finishAndReleaseAll()).isFalse();
    }
}
