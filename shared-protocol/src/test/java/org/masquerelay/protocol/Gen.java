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
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A generator of test values for {@link PropertyCheck}: given a random source, one value. The
 * factories here bias toward what finds codec bugs: small sizes most of the time, the bounds of
 * every range, and explicit edge cases (varint length boundaries, empty payloads, maximum lengths)
 * mixed in with {@link #withEdgeCases}.
 *
 * @param <T> the generated type
 */
@FunctionalInterface
public interface Gen<T> {

    /** Returns one value drawn from {@code random}. */
    T next(SplittableRandom random);

    /** Returns a generator of {@code f} applied to this one's values. */
    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return random -> f.apply(next(random));
    }

    /** Returns a generator that draws a value here and then one from the generator it picks. */
    default <R> Gen<R> flatMap(Function<? super T, ? extends Gen<? extends R>> f) {
        return random -> f.apply(next(random)).next(random);
    }

    /**
     * Returns a generator of this one's values that satisfy {@code keep}, drawing again until one
     * does.
     *
     * @throws IllegalStateException if 1000 draws in a row are rejected: the generator is wrong
     */
    default Gen<T> filter(Predicate<? super T> keep) {
        return random -> {
            for (int i = 0; i < 1000; i++) {
                T value = next(random);
                if (keep.test(value)) {
                    return value;
                }
            }
            throw new IllegalStateException("filter rejected 1000 values in a row");
        };
    }

    /** Returns a generator that yields one of {@code edges} a quarter of the time. */
    default Gen<T> withEdgeCases(List<? extends T> edges) {
        List<T> copy = List.copyOf(edges);
        return random -> random.nextInt(4) == 0 ? copy.get(random.nextInt(copy.size())) : next(random);
    }

    /** Returns a generator that yields {@code null} a fifth of the time. */
    default Gen<T> orNull() {
        return random -> random.nextInt(5) == 0 ? null : next(random);
    }

    /** One value from each generator, combined by {@code f}. */
    static <A, B, R> Gen<R> combine(Gen<A> a, Gen<B> b, BiFunction<? super A, ? super B, ? extends R> f) {
        return random -> f.apply(a.next(random), b.next(random));
    }

    /** One value from each generator, combined by {@code f}. */
    static <A, B, C, R> Gen<R> combine(Gen<A> a, Gen<B> b, Gen<C> c, Combiner3<A, B, C, R> f) {
        return random -> f.apply(a.next(random), b.next(random), c.next(random));
    }

    /** One value from each generator, combined by {@code f}. */
    static <A, B, C, D, R> Gen<R> combine(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Combiner4<A, B, C, D, R> f) {
        return random -> f.apply(a.next(random), b.next(random), c.next(random), d.next(random));
    }

    /** One value from each generator, combined by {@code f}. */
    static <A, B, C, D, E, R> Gen<R> combine(
            Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Gen<E> e, Combiner5<A, B, C, D, E, R> f) {
        return random -> f.apply(a.next(random), b.next(random), c.next(random), d.next(random), e.next(random));
    }

    /** Combines three values. */
    @FunctionalInterface
    interface Combiner3<A, B, C, R> {
        R apply(A a, B b, C c);
    }

    /** Combines four values. */
    @FunctionalInterface
    interface Combiner4<A, B, C, D, R> {
        R apply(A a, B b, C c, D d);
    }

    /** Combines five values. */
    @FunctionalInterface
    interface Combiner5<A, B, C, D, E, R> {
        R apply(A a, B b, C c, D d, E e);
    }

    /** Always {@code value}. */
    static <T> Gen<T> constant(T value) {
        return random -> value;
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    static <T> Gen<T> elements(T... values) {
        // Copied element by element: handing the array on is what -Xlint:varargs flags.
        List<T> copy = new ArrayList<>(values.length);
        for (T value : values) {
            copy.add(value);
        }
        return elements(copy);
    }

    /** One of {@code values}, uniformly. */
    static <T> Gen<T> elements(List<? extends T> values) {
        List<T> copy = List.copyOf(values);
        return random -> copy.get(random.nextInt(copy.size()));
    }

    /** A value from one of {@code gens}, picked uniformly. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        List<Gen<? extends T>> copy = new ArrayList<>(gens.length);
        for (Gen<? extends T> gen : gens) {
            copy.add(gen);
        }
        return random -> copy.get(random.nextInt(copy.size())).next(random);
    }

    /** {@code min} to {@code max} inclusive, uniformly but with both bounds tried often. */
    static Gen<Integer> ints(int min, int max) {
        return longs(min, max).map(Long::intValue);
    }

    /** {@code min} to {@code max} inclusive, uniformly but with both bounds tried often. */
    static Gen<Long> longs(long min, long max) {
        // max itself is an edge case, so the uniform part may leave it out rather than overflow.
        Gen<Long> uniform = random -> random.nextLong(min, max == Long.MAX_VALUE ? max : max + 1);
        return uniform.withEdgeCases(List.of(min, max));
    }

    /**
     * A length from {@code min} to {@code max}: half of the time at most 8 above {@code min}, a
     * quarter at most 64 above, else anywhere, and now and then exactly a bound.
     */
    static Gen<Integer> sizes(int min, int max) {
        return random -> {
            int roll = random.nextInt(16);
            if (roll == 0) {
                return min;
            }
            if (roll == 1) {
                return max;
            }
            int span = roll < 9 ? 8 : roll < 13 ? 64 : max - min;
            return min + random.nextInt(Math.min(span, max - min) + 1);
        };
    }

    /** Random bytes, {@code minLength} to {@code maxLength} of them (see {@link #sizes}). */
    static Gen<byte[]> bytes(int minLength, int maxLength) {
        Gen<Integer> sizes = sizes(minLength, maxLength);
        return random -> {
            byte[] bytes = new byte[sizes.next(random)];
            switch (random.nextInt(8)) {
                case 0 -> {} // all zero
                case 1 -> Arrays.fill(bytes, (byte) 0xFF);
                default -> random.nextBytes(bytes);
            }
            return bytes;
        };
    }

    /** Exactly {@code length} random bytes. */
    static Gen<byte[]> bytes(int length) {
        return bytes(length, length);
    }

    /** {@code minLength} to {@code maxLength} characters drawn from {@code alphabet}. */
    static Gen<String> strings(String alphabet, int minLength, int maxLength) {
        Gen<Integer> sizes = sizes(minLength, maxLength);
        return random -> {
            char[] chars = new char[sizes.next(random)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            return new String(chars);
        };
    }

    /** {@code minLength} to {@code maxLength} values of {@code element}. */
    static <T> Gen<List<T>> lists(Gen<? extends T> element, int minLength, int maxLength) {
        Gen<Integer> sizes = sizes(minLength, maxLength);
        return random -> {
            int size = sizes.next(random);
            List<T> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(element.next(random));
            }
            return out;
        };
    }

    /**
     * Strings of {@code minLength} to {@code maxLength} code points, each printable ASCII, Latin-1,
     * another BMP character or a supplementary one, but never a lone surrogate: text that UTF-8 can
     * carry.
     */
    static Gen<String> unicode(int minLength, int maxLength) {
        Gen<Integer> sizes = sizes(minLength, maxLength);
        return random -> {
            StringBuilder sb = new StringBuilder();
            for (int i = sizes.next(random); i > 0; i--) {
                int cp = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0x20, 0x7F);
                    case 1 -> random.nextInt(0x80, 0x800);
                    case 2 -> random.nextInt(0x800, Character.MIN_SURROGATE);
                    default -> random.nextInt(Character.MIN_SUPPLEMENTARY_CODE_POINT, 0x110000);
                };
                sb.appendCodePoint(cp);
            }
            return sb.toString();
        };
    }

    /**
     * Hostile variants of valid encodings: one to three of truncation, bit flip, byte overwrite,
     * insertion, deletion, duplication of a range, and appended garbage.
     */
    static Gen<byte[]> mutations(Gen<byte[]> valid) {
        return random -> {
            byte[] bytes = valid.next(random);
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                bytes = mutate(bytes, random);
            }
            return bytes;
        };
    }

    /**
     * Hostile variants of valid text: one to three of truncation, insertion or replacement of a
     * character of {@code alphabet}, deletion, and duplication of a short run.
     */
    static Gen<String> textMutations(Gen<String> valid, String alphabet) {
        return random -> {
            StringBuilder sb = new StringBuilder(valid.next(random));
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                int at = sb.length() == 0 ? 0 : random.nextInt(sb.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(5)) {
                    case 0 -> sb.setLength(at); // truncate
                    case 1 -> sb.insert(at, c);
                    case 2 -> {
                        if (sb.length() > 0) {
                            sb.setCharAt(at, c);
                        }
                    }
                    case 3 -> {
                        if (sb.length() > 0) {
                            sb.deleteCharAt(at);
                        }
                    }
                    default -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + 1 + random.nextInt(8))));
                }
            }
            return sb.toString();
        };
    }

    private static byte[] mutate(byte[] in, SplittableRandom random) {
        int at = in.length == 0 ? 0 : random.nextInt(in.length);
        return switch (random.nextInt(7)) {
            case 0 -> Arrays.copyOf(in, at); // truncate
            case 1 -> {
                byte[] out = in.clone();
                if (out.length > 0) {
                    out[at] ^= (byte) (1 << random.nextInt(8));
                }
                yield out;
            }
            case 2 -> {
                byte[] out = in.clone();
                if (out.length > 0) {
                    out[at] = (byte) random.nextInt(256);
                }
                yield out;
            }
            case 3 -> splice(in, at, at, randomBytes(random, 1 + random.nextInt(8)));
            case 4 -> splice(in, at, Math.min(in.length, at + 1 + random.nextInt(8)), new byte[0]);
            case 5 -> splice(in, at, at, Arrays.copyOfRange(in, at, Math.min(in.length, at + 1 + random.nextInt(16))));
            default -> splice(in, in.length, in.length, randomBytes(random, 1 + random.nextInt(16)));
        };
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }

    private static byte[] splice(byte[] in, int from, int to, byte[] insert) {
        byte[] out = new byte[in.length - (to - from) + insert.length];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(in, to, out, from + insert.length, in.length - to);
        return out;
    }
}
