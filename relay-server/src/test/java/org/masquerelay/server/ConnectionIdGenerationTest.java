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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ConnectionIdGenerationTest {
    static final int MINE = 0xBEEF;
    static final int OLD = 0xBEEE;

    @Test
    void everyIdCarriesTheGenerationInBytesTwoAndThreeAndStaysDeterministic() {
        QuicConnectionIdGenerator ids = ConnectionIdGeneration.wrap(QuicConnectionIdGenerator.signGenerator(), MINE);
        ByteBuffer a = ids.newId(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 8);
        ByteBuffer b = ids.newId(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 8);
        assertThat(a.remaining()).isEqualTo(8);
        assertThat(a.getShort(2) & 0xFFFF).isEqualTo(MINE);
        assertThat(a).as("a deterministic generator stays deterministic").isEqualTo(b);
        assertThat(ids.isIdempotent()).isTrue();
    }

    @Test
    void theDispatchersSocketIndexInBytesZeroAndOneIsKept() {
        QuicConnectionIdGenerator indexed = new QuicConnectionIdGenerator() {
            @Override
            public ByteBuffer newId(int length) {
                ByteBuffer id = ByteBuffer.allocate(length);
                id.putShort(0, (short) 3);
                return id;
            }

            @Override
            public ByteBuffer newId(ByteBuffer input, int length) {
                return newId(length);
            }

            @Override
            public int maxConnectionIdLength() {
                return 20;
            }

            @Override
            public boolean isIdempotent() {
                return false;
            }
        };
        ByteBuffer id = ConnectionIdGeneration.wrap(indexed, MINE).newId(10);
        assertThat(id.getShort(0)).isEqualTo((short) 3);
        assertThat(id.getShort(2) & 0xFFFF).isEqualTo(MINE);
    }

    @Test
    void shortHeadersThatAreNotMineGoToTheOldProcess() {
        assertThat(route(shortHeader(MINE))).isFalse();
        assertThat(route(shortHeader(OLD))).isTrue();
        // An ID this process never issued, such as the old process's QUIC-forwarding virtual IDs.
        assertThat(route(shortHeader(0x1234))).isTrue();
        assertThat(route(Unpooled.wrappedBuffer(new byte[] {0x40, 1})))
                .as("too short")
                .isFalse();
    }

    @Test
    void longHeadersGoToTheOldProcessOnlyWithItsGeneration() {
        assertThat(route(longHeader(OLD, 8)))
                .as("a handshake the old process began")
                .isTrue();
        assertThat(route(longHeader(MINE, 8))).isFalse();
        assertThat(route(longHeader(0x1234, 8)))
                .as("a client's random first ID: a new connection")
                .isFalse();
        assertThat(route(longHeader(OLD, 3)))
                .as("an ID too short to carry a generation")
                .isFalse();
    }

    private static boolean route(ByteBuf packet) {
        return HandoverRouter.belongsToOld(packet, MINE, OLD);
    }

    private static ByteBuf shortHeader(int generation) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x40).writeShort(0x0001).writeShort(generation).writeInt(0x55667788);
        b.writeZero(30);
        return b;
    }

    private static ByteBuf longHeader(int generation, int idLength) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0xC0).writeInt(1).writeByte(idLength);
        ByteBuf id = Unpooled.buffer(idLength).writeZero(idLength);
        if (idLength >= 4) {
            id.setShort(2, generation);
        }
        b.writeBytes(id).writeByte(0).writeZero(1200);
        return b;
    }
}
