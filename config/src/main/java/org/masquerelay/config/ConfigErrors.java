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
package org.masquerelay.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Collects validation errors in Armeria's message shape, {@code path: value (expected: ...)}.
 * Validation never stops at the first error.
 */
public final class ConfigErrors {
    private final List<String> errors = new ArrayList<>();

    public void add(String path, @Nullable Object value, String expected) {
        errors.add(path + ": " + value + " (expected: " + expected + ")");
    }

    public void missing(String path) {
        errors.add(path + ": missing (expected: a value)");
    }

    /** Records an error unless {@code ok}; returns {@code ok} so callers can skip dependent checks. */
    public boolean check(boolean ok, String path, @Nullable Object value, String expected) {
        if (!ok) {
            add(path, value, expected);
        }
        return ok;
    }

    /**
     * Parses {@code text} with {@code parser}; an {@link IllegalArgumentException} becomes an
     * error at {@code path} and the result is {@code null}.
     */
    public <T> @Nullable T parse(String path, @Nullable String text, Function<String, T> parser, String expected) {
        if (text == null) {
            missing(path);
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            add(path, text, expected + (e.getMessage() == null ? "" : "; " + e.getMessage()));
            return null;
        }
    }

    /** {@link #parse} for each element of {@code values}, at {@code path[i]}; null means none. */
    public <T> void parseEach(String path, @Nullable List<String> values, Function<String, T> parser, String expected) {
        if (values != null) {
            for (int i = 0; i < values.size(); i++) {
                parse(path + "[" + i + "]", values.get(i), parser, expected);
            }
        }
    }

    /**
     * Parses a CIDR prefix at {@code path} for the files that list address ranges (the pool
     * registry, geofeeds, geo databases). The prefix must be canonical, and IPv4 ranges must be
     * written as IPv4: an IPv4-mapped IPv6 prefix would never match the IPv4 addresses it means.
     * Returns {@code null} after recording the error.
     */
    public @Nullable IpPrefix prefix(String path, @Nullable String text) {
        if (text == null) {
            missing(path);
            return null;
        }
        if (text.isBlank() || !text.strip().equals(text)) {
            add(path, '"' + text + '"', "a CIDR prefix such as 192.0.2.0/24 or 2001:db8::/48");
            return null;
        }
        IpPrefix p;
        try {
            p = IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            // Most of IpPrefix's messages already read "value (expected: ...)", canonical form included.
            if (e.getMessage() != null && e.getMessage().contains("(expected: ")) {
                errors.add(path + ": " + e.getMessage());
            } else {
                add(path, text, "a CIDR prefix such as 192.0.2.0/24; " + e.getMessage());
            }
            return null;
        }
        if (p.isIpv4Mapped()) {
            add(path, text, "an IPv4 prefix written as IPv4, not IPv4-mapped IPv6");
            return null;
        }
        return p;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<String> all() {
        return List.copyOf(errors);
    }

    public void throwIfAny(String source) throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
    }
}
