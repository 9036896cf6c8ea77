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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Simpler candidates for a failing value, simplest first; {@link PropertyCheck} keeps the first
 * candidate that still fails and starts again from it. Removing parts comes first (whole halves,
 * then runs, then single elements), then making the remaining elements smaller.
 *
 * @param <T> the shrunk type
 */
@FunctionalInterface
public interface Shrink<T> {

    /** Returns simpler variants of {@code value}; none for a value that cannot shrink. */
    Stream<T> candidates(T value);

    /** No candidates: the failing value is reported as generated. */
    static <T> Shrink<T> none() {
        return value -> Stream.empty();
    }

    /**
     * Shrinks one part of a composite value: {@code shrink} the part that {@code part} extracts and
     * rebuild the value around each candidate with {@code rebuild}.
     */
    static <T, P> Shrink<T> part(Function<? super T, P> part, Shrink<P> shrink, BiFunction<? super T, P, T> rebuild) {
        return value -> shrink.candidates(part.apply(value)).map(p -> rebuild.apply(value, p));
    }

    /** Byte arrays: shorter ones, then ones with a byte zeroed or halved. */
    static Shrink<byte[]> bytes() {
        return value -> Stream.concat(
                removals(value.length).map(r -> cut(value, r[0], r[1])),
                IntStream.range(0, value.length)
                        .filter(i -> value[i] != 0)
                        .boxed()
                        .flatMap(i -> Stream.of(0, (value[i] & 0xFF) >>> 1)
                                .distinct()
                                .map(b -> {
                                    byte[] out = value.clone();
                                    out[i] = b.byteValue();
                                    return out;
                                })));
    }

    /** Strings: shorter ones, then ones with a character replaced by {@code 'a'}. */
    static Shrink<String> string() {
        return value -> Stream.concat(
                removals(value.length()).map(r -> value.substring(0, r[0]) + value.substring(r[1])),
                IntStream.range(0, value.length())
                        .filter(i -> value.charAt(i) != 'a')
                        .mapToObj(i -> value.substring(0, i) + 'a' + value.substring(i + 1)));
    }

    /** Lists: shorter ones, then ones with one element shrunk by {@code element}. */
    static <T> Shrink<List<T>> list(Shrink<T> element) {
        return value -> Stream.concat(
                removals(value.size()).map(r -> {
                    List<T> out = new ArrayList<>(value.subList(0, r[0]));
                    out.addAll(value.subList(r[1], value.size()));
                    return out;
                }),
                IntStream.range(0, value.size())
                        .boxed()
                        .flatMap(i -> element.candidates(value.get(i)).map(e -> {
                            List<T> out = new ArrayList<>(value);
                            out.set(i, e);
                            return out;
                        })));
    }

    /** Ranges {@code [from, to)} to remove from a sequence of {@code length}: halves to singles. */
    private static Stream<int[]> removals(int length) {
        List<int[]> ranges = new ArrayList<>();
        for (int run = length; run >= 1; run /= 2) {
            for (int from = 0; from + run <= length; from += run) {
                ranges.add(new int[] {from, from + run});
            }
        }
        return ranges.stream();
    }

    private static byte[] cut(byte[] value, int from, int to) {
        byte[] out = Arrays.copyOf(value, value.length - (to - from));
        System.arraycopy(value, to, out, from, value.length - to);
        return out;
    }
}
