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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Owns the byte cumulation of one capsule stream (<a
 * href="https://www.rfc-editor.org/rfc/rfc9297#section-3.2">RFC 9297 §3.2</a>) and feeds it to a
 * {@link CapsuleDecoder}: add each stream chunk as it arrives and receive complete capsules.
 *
 * <p>Memory: a chunk that holds only complete capsules is sliced without copying. A trailing
 * partial capsule is kept; when the next chunk arrives the two are merged, in place if nobody
 * else holds slices of the cumulation, else into a new buffer of exactly the unread size (the way
 * Netty's {@code ByteToMessageDecoder.MERGE_CUMULATOR} avoids moving bytes under outstanding
 * slices). The decoder's limit bounds what a partial capsule can pin.
 *
 * <p>At end of stream, {@link #hasPartial()} tells whether the stream ended mid-capsule, which
 * RFC 9297 §3.3 treats as malformed.
 *
 * <p>Not thread-safe; one instance per stream, used on that stream's event loop.
 */
public final class CapsuleCumulator implements AutoCloseable {

    private final ByteBufAllocator alloc;
    private final CapsuleDecoder decoder;
    /** Unread bytes; {@code null} when there are none. */
    private @Nullable ByteBuf cumulation;
    /** Whether {@link #cumulation} was allocated here, so writing past its writer index is ours. */
    private boolean ownsCumulation;

    private boolean closed;

    /**
     * Creates a cumulator that merges with {@link ByteBufAllocator#DEFAULT}.
     *
     * @param maxPayloadLength largest accepted capsule value, in bytes
     */
    public CapsuleCumulator(int maxPayloadLength) {
        this(ByteBufAllocator.DEFAULT, maxPayloadLength);
    }

    /**
     * Creates a cumulator.
     *
     * @param alloc allocator for merged buffers, usually the channel's
     * @param maxPayloadLength largest accepted capsule value, in bytes
     */
    public CapsuleCumulator(ByteBufAllocator alloc, int maxPayloadLength) {
        this.alloc = Objects.requireNonNull(alloc, "alloc");
        this.decoder = new CapsuleDecoder(maxPayloadLength);
    }

    /**
     * Takes ownership of {@code chunk}, appends it to the cumulation and emits every capsule that is
     * now complete. The consumer owns each emitted capsule's payload.
     *
     * <p>If this method throws (a malformed capsule, or the consumer threw), the cumulator has
     * released everything it held and is closed.
     *
     * @throws MalformedCapsuleException if a capsule announces a length above the limit
     * @throws IllegalStateException if the cumulator is closed ({@code chunk} is still released)
     */
    public void add(ByteBuf chunk, Consumer<Capsule> out) {
        Objects.requireNonNull(chunk, "chunk");
        if (out == null) {
            chunk.release();
            throw new NullPointerException("out");
        }
        if (closed) {
            chunk.release();
            throw new IllegalStateException("capsule cumulator is closed");
        }
        try {
            ByteBuf buf = cumulate(chunk);
            decoder.decode(buf, out);
            if (cumulation == null) {
                return; // the consumer closed this cumulator
            }
            if (!buf.isReadable()) {
                releaseCumulation();
            } else if (ownsCumulation && buf.refCnt() == 1) {
                // No slices point into it, so moving the partial capsule to the front is safe.
                buf.discardSomeReadBytes();
            }
        } catch (Throwable t) {
            close();
            throw t;
        }
    }

    /** Returns whether bytes of an incomplete capsule are buffered. */
    public boolean hasPartial() {
        return cumulation != null;
    }

    /** Releases any buffered bytes. Idempotent; later {@link #add} calls fail. */
    @Override
    public void close() {
        closed = true;
        releaseCumulation();
    }

    /** Appends {@code chunk} and returns the cumulation. */
    private ByteBuf cumulate(ByteBuf chunk) {
        if (cumulation == null) {
            cumulation = chunk;
            ownsCumulation = false;
            return chunk;
        }
        try {
            int needed = chunk.readableBytes();
            if (ownsCumulation && cumulation.refCnt() == 1 && cumulation.maxWritableBytes() >= needed) {
                cumulation.writeBytes(chunk, chunk.readerIndex(), needed);
                return cumulation;
            }
            int unread = cumulation.readableBytes();
            if (needed > Integer.MAX_VALUE - unread) {
                throw new MalformedCapsuleException("capsule stream cumulation exceeds 2 GiB");
            }
            ByteBuf merged = alloc.buffer(unread + needed);
            try {
                merged.writeBytes(cumulation, cumulation.readerIndex(), unread);
                merged.writeBytes(chunk, chunk.readerIndex(), needed);
            } catch (Throwable t) {
                merged.release();
                throw t;
            }
            // Outstanding slices keep the old memory alive; we only drop our reference.
            cumulation.release();
            cumulation = merged;
            ownsCumulation = true;
            return merged;
        } finally {
            chunk.release();
        }
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            ByteBuf buf = cumulation;
            cumulation = null;
            buf.release();
        }
    }
}
