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
package org.masquerelay.protocol.varint;

import java.util.List;
import org.masquerelay.protocol.Gen;

/** Varint values for properties (RFC 9000 §16), weighted toward the length boundaries. */
public final class VarIntGen {

    /** Both sides of every length boundary: 1/2, 2/4 and 4/8 bytes, and the largest value. */
    public static final List<Long> BOUNDARIES =
            List.of(0L, 63L, 64L, 16383L, 16384L, (1L << 30) - 1, 1L << 30, VarInt.MAX_VALUE);

    private VarIntGen() {}

    /** Values of 0 to {@link VarInt#MAX_VALUE}, spread evenly over the four encoded lengths. */
    public static Gen<Long> values() {
        return values(VarInt.MAX_VALUE);
    }

    /** Values of 0 to {@code max}, spread evenly over the encoded lengths up to {@code max}'s. */
    public static Gen<Long> values(long max) {
        List<Long> edges = BOUNDARIES.stream().filter(v -> v <= max).toList();
        return Gen.<Long>oneOf(
                        Gen.longs(0, Math.min(max, 63)),
                        Gen.longs(Math.min(max, 64), Math.min(max, 16383)),
                        Gen.longs(Math.min(max, 16384), Math.min(max, (1L << 30) - 1)),
                        Gen.longs(Math.min(max, 1L << 30), max))
                .withEdgeCases(edges.isEmpty() ? List.of(max) : edges);
    }
}
