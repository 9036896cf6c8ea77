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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Loads one YAML file into an immutable record tree and validates it.
 *
 * <p>Keys are kebab-case, unknown keys are rejected (a misspelt limit silently falling back to a
 * default is how relays get overloaded), durations are ISO-8601 ({@code PT30S}).
 */
public final class YamlConfigLoader {
    /** Implemented by the root record of each config file. */
    public interface Validated {
        /** Adds every problem to {@code errors}; paths are relative to the file root. */
        void validate(ConfigErrors errors);
    }

    private static final ObjectMapper MAPPER = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(new JavaTimeModule())
            .build();

    private YamlConfigLoader() {}

    public static <T extends Validated> T load(Path file, Class<T> type) throws ConfigException {
        return load(file, type, (value, dir) -> value);
    }

    /**
     * Loads {@code file}; {@code resolver} rewrites relative paths against the file's directory
     * before validation, so {@code --check-config} sees the same files the server would open.
     */
    public static <T extends Validated> T load(Path file, Class<T> type, BiFunction<T, Path, T> resolver)
            throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("file not found"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("unreadable: " + e.getMessage()));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(file.toString(), text, type, value -> resolver.apply(value, dir));
    }

    public static <T extends Validated> T parse(String source, String yaml, Class<T> type) throws ConfigException {
        return parse(source, yaml, type, UnaryOperator.identity());
    }

    private static <T extends Validated> T parse(String source, String yaml, Class<T> type, UnaryOperator<T> resolver)
            throws ConfigException {
        T value;
        try {
            value = MAPPER.readValue(yaml, type);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null
                    ? ""
                    : e.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", "));
            throw new ConfigException(source, List.of(path(e) + ": unknown key (expected one of: " + known + ")"));
        } catch (JsonMappingException e) {
            throw new ConfigException(source, List.of(path(e) + ": " + e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new ConfigException(
                    source,
                    List.of("not valid YAML: " + e.getOriginalMessage()
                            + (e.getLocation() == null
                                    ? ""
                                    : " at line " + e.getLocation().getLineNr())));
        }
        if (value == null) {
            throw new ConfigException(source, List.of("empty document"));
        }
        value = resolver.apply(value);
        ConfigErrors errors = new ConfigErrors();
        value.validate(errors);
        errors.throwIfAny(source);
        return value;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "<root>" : sb.toString();
    }
}
