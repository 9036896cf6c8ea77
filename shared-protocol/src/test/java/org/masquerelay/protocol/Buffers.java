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

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.function.Function;

/**
 * Tracked buffers for properties over {@code ByteBuf} codecs, from {@link ByteBufAllocator#DEFAULT}
 * so that the paranoid leak detector watches every one.
 */
public final class Buffers {

    private Buffers() {}

    /** Returns a new buffer holding {@code bytes}; the caller releases it. */
    public static ByteBuf of(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    /**
     * Hands a buffer holding {@code bytes} to a codec that only reads it, then releases it: asserts
     * that the codec neither retained nor released the caller's buffer and that the one release here
     * frees it.
     */
    public static <R> R read(byte[] bytes, Function<ByteBuf, R> codec) {
        ByteBuf in = of(bytes);
        try {
            R result = codec.apply(in);
            assertThat(in.refCnt())
                    .as("refCnt of the caller's buffer after the codec ran")
                    .isOne();
            return result;
        } finally {
            in.release();
            assertThat(in.refCnt()).as("refCnt after the caller's one release").isZero();
        }
    }

    /** Returns the readable bytes of {@code buf} and releases it, asserting it is then freed. */
    public static byte[] drain(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
            assertThat(buf.refCnt()).as("refCnt after release").isZero();
        }
    }
}
