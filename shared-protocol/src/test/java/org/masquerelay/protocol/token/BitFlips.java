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
package org.masquerelay.protocol.token;

import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Tampering for tests: every copy of a value that differs from it in exactly one bit. */
final class BitFlips {

    private BitFlips() {}

    /** Returns one copy of {@code original} per bit, with that bit flipped. */
    static Stream<byte[]> of(byte[] original) {
        return IntStream.range(0, original.length * 8).mapToObj(bit -> {
            byte[] tampered = original.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            return tampered;
        });
    }
}
