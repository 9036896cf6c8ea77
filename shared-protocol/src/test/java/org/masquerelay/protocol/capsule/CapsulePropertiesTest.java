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
package org.masquerelay.protocol.capsule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.masquerelay.protocol.PropertyCheck.forAll;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Buffers;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.PropertyCheck;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.varint.VarInt;
import org.masquerelay.protocol.varint.VarIntGen;

/**
 * Properties of the RFC 9297 §3.2 capsule codec: encoder and decoder round-trip byte for byte, and
 * a stream, valid or hostile, decodes alike however it is split, with every buffer released once.
 *
 * <p>Paranoid leak detection records a stack trace on every access to a tracked buffer, and the
 * chunked properties feed hundreds of one-byte buffers per try, so they run 100 and 200 tries
 * rather than the default 1000, and the round trips 500; the rest keep the default.
 */
class CapsulePropertiesTest {

    /** A capsule as plain values, so outcomes compare with {@code equals}. */
    record Value(long type, String payloadHex) {
        /**
         * Copies with one bulk read: {@code ByteBufUtil.hexDump} reads byte by byte, and paranoid leak
         * detection records a stack trace for every read.
         */
        static Value of(Capsule capsule) {
            return new Value(capsule.type(), HexFormat.of().formatHex(ByteBufUtil.getBytes(capsule.payload())));
        }

        byte[] payload() {
            return HexFormat.of().parseHex(payloadHex);
        }
    }

    /** Capsules to encode and the decoder limit they respect. */
    record Valid(int limit, List<Value> capsules) {}

    /** Stream bytes, a decoder limit and the seed of the chunk sizes a split feeds them in. */
    record Hostile(byte[] stream, int limit, long splitSeed) {
        @Override
        public String toString() {
            return "Hostile[limit="
                    + limit
                    + ", splitSeed="
                    + splitSeed
                    + ", stream="
                    + PropertyCheck.describe(stream)
                    + "]";
        }
    }

    /** A valid stream and the seed of the chunk sizes a split feeds it in. */
    record Split(Valid valid, long splitSeed) {}

    /** A DATAGRAM capsule's context ID and UDP payload. */
    record Datagram(long contextId, byte[] udpPayload) {}

    /** A capsule header whose length exceeds the limit. */
    record Oversized(int limit, long type, long length) {}

    /**
     * What a cumulator made of a stream: the capsules, and whether it ended malformed or mid-capsule.
     */
    record Decoded(List<Value> capsules, boolean malformed, boolean partial) {}

    private static final Gen<Valid> VALID = valid(300, 6);

    /**
     * Shorter streams for the chunked properties, which allocate a tracked buffer per byte; limits up
     * to 100 still cross the 63/64 boundary of the one- and two-byte length varint.
     */
    private static final Gen<Valid> SMALL = valid(100, 4);

    private static final Gen<Integer> LIMITS = Gen.elements(0, 1, 8, 63, 64, 300, 16_384, Integer.MAX_VALUE);

    private static final Gen<Long> SEEDS = Gen.longs(0, Long.MAX_VALUE);

    private static final Gen<Hostile> HOSTILE = Gen.combine(
            Gen.oneOf(Gen.bytes(0, 40), Gen.mutations(SMALL.map(v -> encode(v.capsules())))),
            LIMITS,
            SEEDS,
            Hostile::new);

    private static final Shrink<Hostile> SHRINK_HOSTILE =
            Shrink.part(Hostile::stream, Shrink.bytes(), (h, s) -> new Hostile(s, h.limit(), h.splitSeed()));

    @Test
    void capsulesRoundTripByteForByte() {
        forAll(VALID).tries(500).check(valid -> {
            byte[] stream = encode(valid.capsules());
            List<Value> decoded = new ArrayList<>();
            List<Capsule> emitted = new ArrayList<>();
            ByteBuf in = Buffers.of(stream);
            try {
                new CapsuleDecoder(valid.limit()).decode(in, emitted::add);
                assertThat(in.isReadable())
                        .as("bytes left after the last capsule")
                        .isFalse();
                emitted.forEach(c -> decoded.add(Value.of(c)));
                // The emitted capsules encode back to the very bytes they came from.
                assertThat(encodeCapsules(emitted)).isEqualTo(stream);
            } finally {
                emitted.forEach(c -> c.payload().release());
                in.release();
            }
            assertThat(in.refCnt()).isZero();
            assertThat(decoded).isEqualTo(valid.capsules());
        });
    }

    @Test
    void validStreamDecodesAlikeWholeByteByByteAndInRandomChunks() {
        forAll(Gen.combine(SMALL, SEEDS, Split::new)).tries(100).check(split -> {
            Valid valid = split.valid();
            long seed = split.splitSeed();
            byte[] stream = encode(valid.capsules());
            Decoded expected = new Decoded(valid.capsules(), false, false);

            assertThat(cumulate(stream, valid.limit(), whole(stream), false)).isEqualTo(expected);
            assertThat(cumulate(stream, valid.limit(), bytewise(stream), false)).isEqualTo(expected);
            assertThat(cumulate(stream, valid.limit(), random(stream, seed), true))
                    .isEqualTo(expected);
        });
    }

    @Test
    void datagramCapsuleIsADatagramCapsuleOfContextIdAndPayload() {
        forAll(Gen.combine(VarIntGen.values(), Gen.bytes(0, 300), Datagram::new))
                .tries(500)
                .describedAs(d -> d.contextId() + ", " + PropertyCheck.describe(d.udpPayload()))
                .check(d -> {
                    long contextId = d.contextId();
                    byte[] udpPayload = d.udpPayload();
                    ByteBuf payload = Buffers.of(udpPayload);
                    byte[] datagram;
                    try {
                        datagram = Buffers.drain(
                                CapsuleEncoder.encodeDatagram(ByteBufAllocator.DEFAULT, contextId, payload));
                        assertThat(payload.readerIndex()).isZero();
                        assertThat(payload.refCnt()).isOne();
                    } finally {
                        payload.release();
                    }
                    ByteBuf value = ByteBufAllocator.DEFAULT.buffer();
                    VarInt.write(value, contextId);
                    value.writeBytes(udpPayload);
                    Value expected =
                            new Value(Capsule.TYPE_DATAGRAM, HexFormat.of().formatHex(Buffers.drain(value)));

                    assertThat(datagram).isEqualTo(encode(List.of(expected)));
                });
    }

    @Test
    void anyBytesGiveCapsulesOrMalformedCapsuleAndNothingElse() {
        forAll(HOSTILE).shrinkWith(SHRINK_HOSTILE).check(hostile -> {
            CapsuleDecoder decoder = new CapsuleDecoder(hostile.limit());
            List<Capsule> emitted = new ArrayList<>();
            Buffers.read(hostile.stream(), in -> {
                try {
                    Outcome<Void> outcome =
                            Outcome.ofRun(() -> decoder.decode(in, emitted::add), MalformedCapsuleException.class);
                    emitted.forEach(c -> assertThat(c.payload().readableBytes()).isLessThanOrEqualTo(hostile.limit()));
                    int stop = in.readerIndex();
                    // Decoding again from where it stopped emits nothing new: the rest is a
                    // partial capsule, or the oversized one, which fails again.
                    Outcome<Void> again = Outcome.ofRun(
                            () -> decoder.decode(in, c -> {
                                c.payload().release();
                                throw new AssertionError("decoded a capsule it had left behind");
                            }),
                            MalformedCapsuleException.class);
                    assertThat(again.failed()).isEqualTo(outcome.failed());
                    assertThat(in.readerIndex()).isEqualTo(stop);
                } finally {
                    emitted.forEach(c -> c.payload().release());
                }
                return null;
            });
        });
    }

    @Test
    void anyBytesDecodeAlikeWholeByteByByteAndInRandomChunks() {
        forAll(HOSTILE).tries(200).shrinkWith(SHRINK_HOSTILE).check(hostile -> {
            byte[] stream = hostile.stream();
            int limit = hostile.limit();
            Decoded whole = cumulate(stream, limit, whole(stream), false);

            assertThat(cumulate(stream, limit, bytewise(stream), false)).isEqualTo(whole);
            assertThat(cumulate(stream, limit, random(stream, hostile.splitSeed()), true))
                    .isEqualTo(whole);
        });
    }

    @Test
    void oversizedCapsuleIsRefusedAsSoonAsItsLengthIsReadable() {
        Gen<Oversized> oversized = Gen.ints(0, 16_384)
                .flatMap(limit -> Gen.combine(
                        VarIntGen.values(),
                        Gen.longs(limit + 1L, VarInt.MAX_VALUE).withEdgeCases(List.of(limit + 1L)),
                        (type, length) -> new Oversized(limit, type, length)));

        forAll(oversized).check(o -> {
            ByteBuf header = ByteBufAllocator.DEFAULT.buffer(16);
            VarInt.write(header, o.type());
            VarInt.write(header, o.length());
            try (CapsuleCumulator cumulator = new CapsuleCumulator(o.limit())) {
                assertThatThrownBy(() -> cumulator.add(header, c -> c.payload().release()))
                        .isInstanceOf(MalformedCapsuleException.class);
                assertThat(cumulator.hasPartial()).isFalse();
            }
            assertThat(header.refCnt()).isZero();
        });
    }

    /**
     * Up to {@code maxCapsules} capsules of any type whose payloads respect a limit up to {@code
     * maxLimit}.
     */
    private static Gen<Valid> valid(int maxLimit, int maxCapsules) {
        return Gen.elements(0, 1, 63, 64, maxLimit).flatMap(limit -> {
            Gen<Value> capsule = Gen.combine(
                    VarIntGen.values(),
                    Gen.bytes(0, limit),
                    (type, payload) -> new Value(type, HexFormat.of().formatHex(payload)));
            return Gen.lists(capsule, 0, maxCapsules).map(c -> new Valid(limit, c));
        });
    }

    /**
     * Feeds {@code stream} to a cumulator in chunks of {@code sizes} and checks that every chunk and
     * every payload ends up released exactly once. With {@code hold}, the consumer keeps every
     * payload until the end, so the cumulator merges under outstanding slices.
     */
    static Decoded cumulate(byte[] stream, int limit, int[] sizes, boolean hold) {
        List<ByteBuf> chunks = new ArrayList<>();
        for (int pos = 0, i = 0; i < sizes.length; pos += sizes[i++]) {
            chunks.add(Buffers.of(Arrays.copyOfRange(stream, pos, pos + sizes[i])));
        }
        List<Value> values = new ArrayList<>();
        List<Capsule> held = new ArrayList<>();
        boolean malformed = false;
        boolean partial;
        int fed = 0;
        CapsuleCumulator cumulator = new CapsuleCumulator(ByteBufAllocator.DEFAULT, limit);
        try {
            while (fed < chunks.size() && !malformed) {
                ByteBuf chunk = chunks.get(fed++);
                malformed = Outcome.ofRun(
                                () -> cumulator.add(chunk, c -> {
                                    values.add(Value.of(c));
                                    if (hold) {
                                        held.add(c);
                                    } else {
                                        c.payload().release();
                                    }
                                }),
                                MalformedCapsuleException.class)
                        .failed();
            }
            partial = cumulator.hasPartial();
            // Slices stay valid while the cumulator goes on: what was emitted has not been overwritten.
            assertThat(held.stream().map(Value::of).toList()).isEqualTo(values.subList(0, held.size()));
        } finally {
            cumulator.close();
            chunks.subList(fed, chunks.size()).forEach(ByteBuf::release);
            held.forEach(c -> c.payload().release());
        }
        assertThat(chunks)
                .allSatisfy(c -> assertThat(c.refCnt()).as("chunk refCnt").isZero());
        assertThat(held)
                .allSatisfy(c ->
                        assertThat(c.payload().refCnt()).as("payload refCnt").isZero());
        return new Decoded(values, malformed, partial);
    }

    static byte[] encode(List<Value> capsules) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Value capsule : capsules) {
            ByteBuf payload = Buffers.of(capsule.payload());
            try {
                out.writeBytes(Buffers.drain(CapsuleEncoder.encode(ByteBufAllocator.DEFAULT, capsule.type(), payload)));
                assertThat(payload.readerIndex()).as("payload reader index").isZero();
                assertThat(payload.refCnt()).as("payload refCnt").isOne();
            } finally {
                payload.release();
            }
        }
        return out.toByteArray();
    }

    private static byte[] encodeCapsules(List<Capsule> capsules) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Capsule capsule : capsules) {
            out.writeBytes(
                    Buffers.drain(CapsuleEncoder.encode(ByteBufAllocator.DEFAULT, capsule.type(), capsule.payload())));
        }
        return out.toByteArray();
    }

    private static int[] whole(byte[] stream) {
        return new int[] {stream.length};
    }

    private static int[] bytewise(byte[] stream) {
        int[] sizes = new int[stream.length];
        Arrays.fill(sizes, 1);
        return sizes;
    }

    /** Chunks of 0 to 16 bytes; empty chunks are legal and must be handled. */
    private static int[] random(byte[] stream, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> sizes = new ArrayList<>();
        for (int left = stream.length; left > 0; ) {
            int size = Math.min(left, random.nextInt(17));
            sizes.add(size);
            left -= size;
        }
        sizes.add(0);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }
}
