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
package org.masquerelay.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Hex test vectors, written the way QUICHE's {@code capsule_test.cc} writes them: one string per
 * field, each with a comment. Buffers come from {@link ByteBufAllocator#DEFAULT} so the leak
 * detector tracks them.
 */
public final class Hex {

    private Hex() {}

    /** Returns a new buffer holding the bytes of {@code hex}; whitespace is ignored. */
    public static ByteBuf buf(String hex) {
        byte[] bytes = bytes(hex);
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    /** Returns the bytes of {@code hex}; whitespace is ignored. */
    public static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s+", ""));
    }

    /** Returns the readable bytes of {@code buf} as lower-case hex, without changing it. */
    public static String of(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }
}
