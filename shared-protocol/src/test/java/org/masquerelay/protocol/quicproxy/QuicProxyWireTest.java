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
package org.masquerelay.protocol.quicproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.capsule.Capsule;

/** The forwarded-mode wire pieces of draft-ietf-masque-quic-proxy, checked against its examples. */
class QuicProxyWireTest {
    // Appendix A of the draft.
    private static final String ORIGINAL_CID = "002e9184cb0022ca7aecf1128c91d809e1b6853f";
    private static final String VIRTUAL_CID = "0123456789abcdef0123456789abcdef01234567";
    private static final String ORIGINAL =
            "50002e9184cb0022ca7aecf1128c91d8" + "09e1b6853f1ba3bed7043a2163202304" + "8def32f4f8f260c290490413d24ea6";
    private static final String IDENTITY =
            "500123456789abcdef0123456789abcd" + "ef012345671ba3bed7043a2163202304" + "8def32f4f8f260c290490413d24ea6";
    private static final String SCRAMBLED =
            "320123456789abcdef0123456789abcd" + "ef012345678ebe6906e16ec5fc90a02c" + "0109994c3fed03f9d5d88c5f408bb6";
    private static final String KEY = "f13a915f96fb8919d9d8655488ffea5778cac8cffbc27cd38c173bcbad955cff";

    @Test
    void replacingTheConnectionIdGivesTheDraftsIdentityPacket() {
        ByteBuf p = Unpooled.wrappedBuffer(Hex.bytes(ORIGINAL));
        assertThat(QuicPackets.isShortHeader(p)).isTrue();
        assertThat(QuicPackets.dcidEquals(p, Hex.bytes(ORIGINAL_CID))).isTrue();
        ByteBuf out = QuicPackets.replaceDcid(p, 20, Hex.bytes(VIRTUAL_CID), ByteBufAllocator.DEFAULT);
        assertThat(Hex.of(out)).isEqualTo(IDENTITY);
        out.release();
    }

    @Test
    void scrambleMatchesTheDraftsExampleBothWays() {
        PacketTransform.Scramble scramble = new PacketTransform.Scramble(Hex.bytes(KEY));
        ByteBuf p = Unpooled.wrappedBuffer(Hex.bytes(IDENTITY));
        scramble.encode(p, 20);
        assertThat(Hex.of(p)).isEqualTo(SCRAMBLED);
        scramble.decode(p, 20);
        assertThat(Hex.of(p)).isEqualTo(IDENTITY);
    }

    @Test
    void scrambleRoundTripsRandomPacketsAndChangesEveryByteRangeButTheConnectionId() {
        Random r = new Random(7);
        byte[] key = PacketTransform.Scramble.newKey(new SecureRandom());
        PacketTransform.Scramble a = new PacketTransform.Scramble(key);
        PacketTransform.Scramble b = new PacketTransform.Scramble(key);
        for (int len : new int[] {25, 26, 100, 1200, 1452}) {
            byte[] packet = new byte[len];
            r.nextBytes(packet);
            packet[0] &= 0x7F;
            ByteBuf p = Unpooled.copiedBuffer(packet);
            a.encode(p, 8);
            byte[] wire = bytes(p);
            assertThat(wire[0] & 0x80).isZero();
            assertThat(java.util.Arrays.copyOfRange(wire, 1, 9)).isEqualTo(java.util.Arrays.copyOfRange(packet, 1, 9));
            assertThat(java.util.Arrays.copyOfRange(wire, 9, len))
                    .isNotEqualTo(java.util.Arrays.copyOfRange(packet, 9, len));
            b.decode(p, 8);
            assertThat(bytes(p)).isEqualTo(packet);
        }
    }

    @Test
    void scrambleRefusesAPacketWithoutSixteenBytesAfterTheConnectionId() {
        PacketTransform.Scramble s = new PacketTransform.Scramble(new byte[32]);
        assertThatThrownBy(() -> s.encode(Unpooled.wrappedBuffer(new byte[24]), 8))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyCapsuleRoundTrips() {
        byte[] cid = Hex.bytes("0102030405060708");
        byte[] vcid = Hex.bytes("a1a2a3a4a5a6a7a8");
        byte[] token = new byte[16];
        for (QuicProxyCapsule c : List.of(
                new QuicProxyCapsule.RegisterClientCid(cid),
                new QuicProxyCapsule.RegisterTargetCid(cid, new byte[0]),
                new QuicProxyCapsule.AckClientCid(cid, vcid),
                new QuicProxyCapsule.AckClientVcid(cid, vcid, token),
                new QuicProxyCapsule.AckTargetCid(cid, vcid, new byte[0]),
                new QuicProxyCapsule.CloseClientCid(cid),
                new QuicProxyCapsule.CloseTargetCid(vcid),
                new QuicProxyCapsule.MaxConnectionIds(7))) {
            ByteBuf wire = c.encode(ByteBufAllocator.DEFAULT);
            long type = org.masquerelay.protocol.varint.VarInt.read(wire);
            long length = org.masquerelay.protocol.varint.VarInt.read(wire);
            assertThat(type).isEqualTo(c.type());
            assertThat(length).isEqualTo(wire.readableBytes());
            QuicProxyCapsule back = QuicProxyCapsule.decode(new Capsule(type, wire));
            assertThat(back).usingRecursiveComparison().isEqualTo(c);
            wire.release();
        }
    }

    @Test
    void malformedCapsulesAreRefusedInPlainWords() {
        assertThatThrownBy(() -> QuicProxyCapsule.decode(
                        new Capsule(QuicProxyCapsule.ACK_CLIENT_CID, Unpooled.wrappedBuffer(Hex.bytes("0801")))))
                .isInstanceOf(MalformedQuicProxyException.class)
                .hasMessageContaining("ACK_CLIENT_CID connection id of 8 bytes but only 1 left");
        assertThatThrownBy(() -> QuicProxyCapsule.decode(new Capsule(
                        QuicProxyCapsule.REGISTER_TARGET_CID, Unpooled.wrappedBuffer(Hex.bytes("01aa03bbccdd")))))
                .isInstanceOf(MalformedQuicProxyException.class)
                .hasMessageContaining("stateless reset token of 3 bytes");
        assertThatThrownBy(() -> QuicProxyCapsule.decode(
                        new Capsule(QuicProxyCapsule.MAX_CONNECTION_IDS, Unpooled.wrappedBuffer(Hex.bytes("0102")))))
                .isInstanceOf(MalformedQuicProxyException.class)
                .hasMessageContaining("after the end");
        assertThatThrownBy(() -> QuicProxyCapsule.decode(
                        new Capsule(QuicProxyCapsule.REGISTER_CLIENT_CID, Unpooled.wrappedBuffer(new byte[256]))))
                .isInstanceOf(MalformedQuicProxyException.class)
                .hasMessageContaining("at most 255");
    }

    @Test
    void forwardingHeaderParsesTheDraftsExampleAndFormatsBack() {
        byte[] key = new byte[32];
        key[0] = 1;
        ProxyQuicForwarding offer = ProxyQuicForwarding.offer(List.of("scramble-dt", "identity"), key);
        ProxyQuicForwarding back = ProxyQuicForwarding.parse(offer.toFieldValue());
        assertThat(back.enabled()).isTrue();
        assertThat(back.acceptTransforms()).containsExactly("scramble-dt", "identity");
        assertThat(back.scrambleKey()).get().isEqualTo(key);
        assertThat(back.transform()).isEmpty();

        ProxyQuicForwarding answer = ProxyQuicForwarding.parse("?1; transform=\"scramble-dt\"; scramble-key=:"
                + java.util.Base64.getEncoder().encodeToString(key) + ":; future=3");
        assertThat(answer.transform()).contains("scramble-dt");
        assertThat(ProxyQuicForwarding.parse("?0").enabled()).isFalse();
        assertThatThrownBy(() -> ProxyQuicForwarding.parse("yes"))
                .isInstanceOf(MalformedQuicProxyException.class)
                .hasMessageContaining("expected ?0 or ?1");
        assertThatThrownBy(() -> ProxyQuicForwarding.parse("?1; scramble-key=\"abc\""))
                .isInstanceOf(MalformedQuicProxyException.class)
                .hasMessageContaining("scramble-key must be a byte sequence");
        assertThat(answer.toString())
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(key));
    }

    @Test
    void longHeaderSourceIdIsRead() {
        // Initial, v1, DCID 8 bytes, SCID 4 bytes.
        ByteBuf p =
                Unpooled.wrappedBuffer(Hex.bytes("c000000001" + "08" + "1112131415161718" + "04" + "a1a2a3a4" + "00"));
        assertThat(QuicPackets.longHeaderType(p)).isEqualTo(QuicPackets.TYPE_INITIAL);
        assertThat(QuicPackets.longHeaderScid(p)).isEqualTo(Hex.bytes("a1a2a3a4"));
        assertThat(QuicPackets.isShortHeader(p)).isFalse();
        assertThat(QuicPackets.longHeaderScid(Unpooled.wrappedBuffer(Hex.bytes("c00000000108111213"))))
                .isNull();
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
