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
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A property-based check on plain JUnit 5, so that the checks run under Surefire with the rest of
 * the suite and under {@link LeakCheckExtension}: draw {@link #tries} values from a {@link Gen},
 * run the property on each, and on the first failure shrink the value ({@link Shrink}) and fail
 * with the seed, the simplest failing value found and the original one.
 *
 * <pre>
 * PropertyCheck.forAll(Gen.bytes(0, 64)).shrinkWith(Shrink.bytes()).check(bytes -&gt; { ... });
 * </pre>
 *
 * <p>Runs are reproducible: every check starts from the seed {@value #SEED_PROPERTY} (default
 * {@value #DEFAULT_SEED}), so CI sees the same values every time. To explore, run with another
 * seed, and with {@value #SCALE_PROPERTY} to multiply every check's tries, for example {@code
 * ./mvnw -pl shared-protocol verify -Dmasque.properties.seed=7 -Dmasque.properties.scale=10}.
 *
 * @param <T> the generated type
 */
public final class PropertyCheck<T> {

    /** System property that sets the seed. */
    public static final String SEED_PROPERTY = "masque.properties.seed";

    /** System property that multiplies every check's tries. */
    public static final String SCALE_PROPERTY = "masque.properties.scale";

    /** The seed when none is given. */
    public static final long DEFAULT_SEED = 9297;

    /** Tries per check unless {@link #tries} says otherwise. */
    public static final int DEFAULT_TRIES = 1000;

    /** Shrinking stops after this many candidate runs, so a slow property cannot hang the build. */
    private static final int MAX_SHRINK_RUNS = 5_000;

    private final Gen<T> gen;
    private int tries = DEFAULT_TRIES;
    private Shrink<T> shrink = Shrink.none();
    private Function<? super T, String> describe = PropertyCheck::describe;

    private PropertyCheck(Gen<T> gen) {
        this.gen = Objects.requireNonNull(gen, "gen");
    }

    /** Starts a check of values drawn from {@code gen}. */
    public static <T> PropertyCheck<T> forAll(Gen<T> gen) {
        return new PropertyCheck<>(gen);
    }

    /** Sets the number of values tried (before {@value #SCALE_PROPERTY} scaling). */
    public PropertyCheck<T> tries(int tries) {
        this.tries = tries;
        return this;
    }

    /** Sets how a failing value is simplified. */
    public PropertyCheck<T> shrinkWith(Shrink<T> shrink) {
        this.shrink = Objects.requireNonNull(shrink, "shrink");
        return this;
    }

    /** Sets how a failing value is printed. */
    public PropertyCheck<T> describedAs(Function<? super T, String> describe) {
        this.describe = Objects.requireNonNull(describe, "describe");
        return this;
    }

    /**
     * Runs {@code property} on every value.
     *
     * @throws AssertionError for the first value (after shrinking) on which it threw
     */
    public void check(Property<? super T> property) {
        long seed = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
        double scale = Double.parseDouble(System.getProperty(SCALE_PROPERTY, "1"));
        int total = Math.max(1, (int) Math.round(tries * scale));
        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 1; i <= total; i++) {
            T value = gen.next(root.split());
            Throwable failure = run(property, value);
            if (failure != null) {
                fail(property, seed, i, total, value, failure);
            }
        }
    }

    private void fail(Property<? super T> property, long seed, int attempt, int total, T original, Throwable first) {
        T simplest = original;
        Throwable failure = first;
        int steps = 0;
        int runs = 0;
        boolean shrunk = true;
        while (shrunk && runs < MAX_SHRINK_RUNS) {
            shrunk = false;
            for (T candidate : (Iterable<T>) shrink.candidates(simplest)::iterator) {
                if (++runs > MAX_SHRINK_RUNS) {
                    break;
                }
                Throwable candidateFailure = run(property, candidate);
                if (candidateFailure != null && candidateFailure.getClass() == first.getClass()) {
                    simplest = candidate;
                    failure = candidateFailure;
                    steps++;
                    shrunk = true;
                    break;
                }
            }
        }
        throw new AssertionError(
                "property failed on try "
                        + attempt
                        + " of "
                        + total
                        + " ("
                        + SEED_PROPERTY
                        + "="
                        + seed
                        + ")\n  shrunk ("
                        + steps
                        + " steps): "
                        + describe.apply(simplest)
                        + "\n  original: "
                        + describe.apply(original)
                        + "\n  failure: "
                        + failure,
                failure);
    }

    private static <T> Throwable run(Property<? super T> property, T value) {
        try {
            property.verify(value);
            return null;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
                throw (VirtualMachineError) t;
            }
            return t;
        }
    }

    /** Prints byte arrays as hex, strings as Java literals and lists element by element. */
    public static String describe(Object value) {
        if (value instanceof byte[] bytes) {
            return "hex[" + bytes.length + "] " + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof String text) {
            return quote(text);
        }
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>(list.size());
            list.forEach(e -> parts.add(describe(e)));
            return parts.stream().collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(value);
    }

    /** A Java string literal of {@code text}, with everything outside printable ASCII escaped. */
    public static String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append('"').toString();
    }

    /**
     * The property: returns normally when it holds for {@code value}, else throws (an assertion
     * error, or whatever the code under test threw).
     *
     * @param <T> the checked type
     */
    @FunctionalInterface
    public interface Property<T> {
        /** Checks one value. */
        void verify(T value) throws Throwable;
    }
}
