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
import java.util.Objects;
import java.util.function.Consumer;
import org.masquerelay.protocol.varint.VarInt;

/**
 * Incremental parser for a stream of capsules, <a
 * href="https://www.rfc-editor.org/rfc/rfc9297#section-3.2">RFC 9297 §3.2</a>.
 *
 * <p>The caller keeps the bytes (a cumulation, see {@link CapsuleCumulator}); each {@link
 * #decode} call emits every complete capsule and leaves a trailing partial one unread. The
 * decoder re-reads the two header varints of a partial capsule on the next call rather than
 * remembering them, so the cumulation alone is the parse state and can be inspected or handed
 * over at any time. A capsule that announces a length above the limit is rejected as soon as its
 * length varint is readable, before its value arrives, so a peer cannot make us buffer it.
 *
 * <p>Unknown capsule types are emitted too: RFC 9297 §3.2 tells the receiver to skip them, and
 * skipping is the caller's decision.
 *
 * <p>Not thread-safe; use one instance per stream on that stream's event loop.
 */
public final class CapsuleDecoder {

    private final int maxPayloadLength;

    /**
     * Creates a decoder.
     *
     * @param maxPayloadLength largest accepted capsule value, in bytes
     */
    public CapsuleDecoder(int maxPayloadLength) {
        if (maxPayloadLength < 0) {
            throw new IllegalArgumentException("maxPayloadLength: " + maxPayloadLength + " (expected: >= 0)");
        }
        this.maxPayloadLength = maxPayloadLength;
    }

    /**
     * Emits every complete capsule readable in {@code in} and advances its reader index past them.
     *
     * <p>Each emitted {@link Capsule#payload()} is a retained slice of {@code in}: the consumer owns
     * it (even if the consumer throws) and must release it. Because slices share memory with {@code
     * in}, the caller must not discard or overwrite read bytes of {@code in} while {@code
     * in.refCnt() > 1}. {@code in} itself is neither retained nor released.
     *
     * @throws MalformedCapsuleException if a capsule announces a length above the limit; the
     *     reader index is then left at the start of that capsule
     */
    public void decode(ByteBuf in, Consumer<Capsule> out) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        for (; ; ) {
            int start = in.readerIndex();
            if (!VarInt.isReadable(in)) {
                return;
            }
            long type = VarInt.read(in);
            if (!VarInt.isReadable(in)) {
                in.readerIndex(start);
                return;
            }
            long length = VarInt.read(in);
            if (length > maxPayloadLength) {
                in.readerIndex(start);
                throw new MalformedCapsuleException("capsule length " + length + " exceeds limit " + maxPayloadLength);
            }
            if (in.readableBytes() < length) {
                in.readerIndex(start);
                return;
            }
            out.accept(new Capsule(type, in.readRetainedSlice((int) length)));
        }
    }
}
