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
        super(source + ": " + errors.size() + " error(s)\n  " + String.join("\n  ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
