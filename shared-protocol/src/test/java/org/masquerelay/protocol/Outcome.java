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

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * What a codec made of one input: a value, or one of the exceptions it documents. Anything else it
 * throws (an {@link IndexOutOfBoundsException}, a {@link NullPointerException}, Netty's {@link
 * IllegalArgumentException}, a {@link NumberFormatException}, ...) is a bug and fails the property
 * at once, with the throwable as the cause.
 *
 * @param value what the codec returned, or {@code null} if it threw
 * @param error the documented exception it threw, or {@code null}
 * @param <T> the decoded type
 */
public record Outcome<T>(T value, Throwable error) {

    /**
     * Runs {@code codec} and returns its value or its documented exception.
     *
     * @param documented the exception types the codec may throw for bad input
     * @throws AssertionError if the codec throws anything else
     */
    public static <T> Outcome<T> of(Callable<? extends T> codec, Class<?>... documented) {
        try {
            return new Outcome<>(codec.call(), null);
        } catch (Throwable t) {
            if (isOneOf(t, documented)) {
                return new Outcome<>(null, t);
            }
            throw new AssertionError("threw " + t + " (expected: a value or one of " + names(documented) + ")", t);
        }
    }

    /** Runs {@code codec}, which returns nothing, like {@link #of}. */
    public static Outcome<Void> ofRun(Runnable codec, Class<?>... documented) {
        return of(
                () -> {
                    codec.run();
                    return null;
                },
                documented);
    }

    /** Returns whether the codec threw. */
    public boolean failed() {
        return error != null;
    }

    /** Runs {@code check} on the value if the codec returned one; returns this outcome. */
    public Outcome<T> ifValue(Consumer<? super T> check) {
        if (error == null) {
            check.accept(value);
        }
        return this;
    }

    /**
     * Runs {@code check} on the documented exception if the codec threw one; returns this outcome.
     */
    public Outcome<T> ifError(Consumer<? super Throwable> check) {
        if (error != null) {
            check.accept(error);
        }
        return this;
    }

    private static boolean isOneOf(Throwable t, Class<?>[] types) {
        return Arrays.stream(types).anyMatch(type -> type.isInstance(t));
    }

    private static List<String> names(Class<?>[] types) {
        return Arrays.stream(types).map(Class::getSimpleName).toList();
    }
}
