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
package org.masquerelay.protocol.datagram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.masquerelay.protocol.PropertyCheck.forAll;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Buffers;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.PropertyCheck;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.varint.VarInt;
import org.masquerelay.protocol.varint.VarIntGen;

/**
 * Properties of the RFC 9297 §2.1 datagram codec: every encodable datagram reads back field by
 * field, and hostile datagrams give fields or {@link MalformedDatagramException}, never a varint or
 * buffer exception. ({@link H3Settings} only holds constants; it decodes nothing.)
 */
class HttpDatagramPropertiesTest {

    /** The fields of one datagram. */
    record Fields(long quarterStreamId, long contextId, byte[] payload) {
        @Override
        public String toString() {
            return "Fields[quarterStreamId="
                    + quarterStreamId
                    + ", contextId="
                    + contextId
                    + ", payload="
                    + PropertyCheck.describe(payload)
                    + "]";
        }
    }

    private static final Gen<Fields> VALID = Gen.combine(
            VarIntGen.values(HttpDatagram.MAX_QUARTER_STREAM_ID)
                    .withEdgeCases(List.of(HttpDatagram.MAX_QUARTER_STREAM_ID)),
            VarIntGen.values(),
            Gen.bytes(0, 1200),
            Fields::new);

    @Test
    void everyDatagramReadsBackFieldByField() {
        forAll(VALID).tries(500).check(fields -> {
            ByteBuf payload = Buffers.of(fields.payload());
            ByteBuf datagram;
            try {
                datagram = HttpDatagram.encode(
                        ByteBufAllocator.DEFAULT, fields.quarterStreamId(), fields.contextId(), payload);
                assertThat(payload.readerIndex()).isZero();
                assertThat(payload.refCnt()).isOne();
            } finally {
                payload.release();
            }
            assertThat(datagram.isDirect()).isTrue();
            byte[] encoded = Buffers.drain(datagram);
            assertThat(encoded)
                    .hasSize(HttpDatagram.overhead(fields.quarterStreamId(), fields.contextId())
                            + fields.payload().length);

            Buffers.read(encoded, in -> {
                assertThat(HttpDatagram.readQuarterStreamId(in)).isEqualTo(fields.quarterStreamId());
                assertThat(HttpDatagram.readContextId(in)).isEqualTo(fields.contextId());
                assertThat(ByteBufUtil.getBytes(in)).isEqualTo(fields.payload());
                return null;
            });
        });
    }

    @Test
    void anyBytesGiveFieldsOrMalformedDatagramWithTheReaderIndexUnchanged() {
        Gen<byte[]> hostile = Gen.oneOf(Gen.bytes(0, 20), Gen.mutations(VALID.map(f -> {
            ByteBuf payload = Buffers.of(f.payload());
            try {
                return Buffers.drain(
                        HttpDatagram.encode(ByteBufAllocator.DEFAULT, f.quarterStreamId(), f.contextId(), payload));
            } finally {
                payload.release();
            }
        })));

        forAll(hostile)
                .shrinkWith(Shrink.bytes())
                .check(bytes -> Buffers.read(bytes, in -> {
                    Outcome<Long> qsid =
                            Outcome.of(() -> HttpDatagram.readQuarterStreamId(in), MalformedDatagramException.class);
                    if (qsid.failed()) {
                        assertThat(in.readerIndex()).isZero();
                        return null;
                    }
                    assertThat(qsid.value()).isBetween(0L, HttpDatagram.MAX_QUARTER_STREAM_ID);
                    int afterQsid = in.readerIndex();
                    Outcome<Long> ctx =
                            Outcome.of(() -> HttpDatagram.readContextId(in), MalformedDatagramException.class);
                    if (ctx.failed()) {
                        assertThat(in.readerIndex()).isEqualTo(afterQsid);
                    } else {
                        assertThat(ctx.value()).isBetween(0L, VarInt.MAX_VALUE);
                    }
                    return null;
                }));
    }

    @Test
    void quarterStreamIdsAboveTheMaximumAreMalformedOnReadAndRefusedOnEncode() {
        forAll(Gen.longs(HttpDatagram.MAX_QUARTER_STREAM_ID + 1, VarInt.MAX_VALUE))
                .check(qsid -> {
                    ByteBuf header = ByteBufAllocator.DEFAULT.buffer(8);
                    VarInt.write(header, qsid);
                    byte[] bytes = Buffers.drain(header);
                    Buffers.read(bytes, in -> {
                        assertThatThrownBy(() -> HttpDatagram.readQuarterStreamId(in))
                                .isInstanceOf(MalformedDatagramException.class);
                        assertThat(in.readerIndex()).isZero();
                        return null;
                    });
                    assertThatThrownBy(() -> HttpDatagram.overhead(qsid, 0))
                            .isInstanceOf(IllegalArgumentException.class);
                });
    }
}
