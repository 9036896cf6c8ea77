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

import java.util.List;

/**
 * Every problem found in one configuration or data file, each prefixed by where it is: its YAML
 * path, or {@code line N} in a CSV file. Thrown once, after all checks ran, so an operator fixes
 * a file in one round trip. The CLI maps it to exit
 * status 78 ({@code EX_CONFIG}, sysexits.h).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<String> errors;

    public ConfigException(String source, List<String> errors) {
        this(source, errors, errors);
    }

    /**
     * @param errors each problem with its path
     * @param located the same problems, each followed by where it is in the file when known
     *     ({@code (line L, column C)}); the message lists these
     */
    public ConfigException(String source, List<String> errors, List<String> located) {
        super(source + ": " + errors.size() + " error(s)\n  " + String.join("\n  ", located));
        if (located.size() != errors.size()) {
            throw new IllegalArgumentException("located: " + located.size() + " (expected: " + errors.size() + ")");
        }
        this.errors = List.copyOf(errors);
    }

    /** The problems with their paths; {@link #getMessage()} adds where each is in the file. */
    public List<String> errors() {
        return errors;
    }
}
