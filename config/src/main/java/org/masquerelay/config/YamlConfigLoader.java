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

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Loads one YAML file into an immutable record tree and validates it.
 *
 * <p>Keys are kebab-case, unknown keys are rejected (a misspelt limit silently falling back to a
 * default is how relays get overloaded). Durations are written {@code 500ms}, {@code 10s},
 * {@code 2m}, {@code 1h}, {@code 1d} or in ISO-8601 ({@code PT30S}).
 *
 * <p>Every problem is reported at once, each with its YAML path and where it is in the file
 * ({@code line L, column C}): the file is read into a tree first (a syntax error stops there,
 * with its position), then bound to the records; each key or value that does not bind is
 * recorded and taken out of the tree, and binding is tried again, until what is left binds. The
 * rest is validated, leaving out the checks on what was already reported.
 */
public final class YamlConfigLoader {
    /** Implemented by the root record of each config file. */
    public interface Validated {
        /** Adds every problem to {@code errors}; paths are relative to the file root. */
        void validate(ConfigErrors errors);
    }

    /** What a duration looks like, for error messages. */
    public static final String DURATION_HINT = "a duration such as 500ms, 10s, 2m, 1h, 1d or ISO-8601 PT10S";

    /** Binding errors after which the loader stops retrying (each round removes one). */
    private static final int MAX_ERRORS = 100;

    private static final YAMLFactory YAML = new YAMLFactory();

    private static final ObjectMapper MAPPER = JsonMapper.builder(YAML)
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule("masque-durations").addDeserializer(Duration.class, new DurationDeserializer()))
            .build();

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

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
            throw new ConfigException(
                    file.toString(),
                    List.of(Files.isDirectory(file) ? "a directory, not a file" : "unreadable: " + e.getMessage()));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(file.toString(), text, type, value -> resolver.apply(value, dir));
    }

    public static <T extends Validated> T parse(String source, String yaml, Class<T> type) throws ConfigException {
        return parse(source, yaml, type, UnaryOperator.identity());
    }

    /**
     * A duration as configs write it: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h},
     * {@code 1d}, or ISO-8601 ({@code PT10S}, {@code P1D}).
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Duration parseDuration(String text) {
        String t = text.strip();
        Matcher m = SHORT_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (t.length() > 1 && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                // fall through to the message naming every form
            }
        }
        throw new IllegalArgumentException("not a duration (expected: " + DURATION_HINT + ")");
    }

    private static <T extends Validated> T parse(String source, String yaml, Class<T> type, UnaryOperator<T> resolver)
            throws ConfigException {
        Map<String, JsonLocation> where = new HashMap<>();
        JsonNode tree = readTree(source, yaml, where);
        List<String[]> binding = new ArrayList<>(); // {line, plain, located}
        Set<String> reported = new HashSet<>();
        T value = null;
        for (int round = 0; round <= MAX_ERRORS; round++) {
            try {
                value = MAPPER.treeToValue(tree, type);
                break;
            } catch (JsonMappingException e) {
                String pointer = pointer(e);
                String plain = describe(e, path(e), tree.at(pointer));
                JsonLocation l = where.get(pointer);
                binding.add(new String[] {l == null ? "" : String.valueOf(l.getLineNr()), plain, plain + at(l)});
                boolean progress = reported.add(pointer) && remove(tree, pointer);
                if (!progress) {
                    break;
                }
            } catch (JsonProcessingException | IllegalArgumentException e) {
                binding.add(new String[] {"", String.valueOf(e.getMessage()), String.valueOf(e.getMessage())});
                break;
            }
        }
        // Binding errors come in the order Jackson meets them; the file's order reads better.
        binding.sort(java.util.Comparator.comparingLong(b -> b[0].isEmpty() ? Long.MAX_VALUE : Long.parseLong(b[0])));
        List<String> errors = new ArrayList<>();
        List<String> located = new ArrayList<>();
        for (String[] b : binding) {
            errors.add(b[1]);
            located.add(b[2]);
        }
        if (value == null) {
            throw new ConfigException(source, errors, located);
        }
        value = resolver.apply(value);
        ConfigErrors checks = new ConfigErrors();
        value.validate(checks);
        for (String error : checks.all()) {
            String path = leadingPath(error);
            String pointer = path == null ? null : pointerOf(path);
            if (pointer != null && underAny(pointer, reported)) {
                continue; // already reported as the value that did not bind
            }
            errors.add(error);
            located.add(pointer == null ? error : error + at(where.get(pointer)));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors, located);
        }
        return value;
    }

    /**
     * Reads the YAML into a tree and records where each key and each list element starts, by
     * JSON pointer. A syntax error is reported with its position and the path it was in.
     */
    private static JsonNode readTree(String source, String yaml, Map<String, JsonLocation> where)
            throws ConfigException {
        JsonNode tree;
        String[] context = {""};
        try (JsonParser p = YAML.createParser(yaml)) {
            if (p.nextToken() == null) {
                throw new ConfigException(source, List.of("empty document"));
            }
            tree = node(p, where, context);
            if (p.nextToken() != null) {
                throw new ConfigException(
                        source,
                        List.of("more than one YAML document" + at(p.currentTokenLocation())
                                + " (expected: one; remove the '---' line)"));
            }
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String path = pathOf(context[0]);
            throw new ConfigException(
                    source,
                    List.of("not valid YAML"
                            + (l == null ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr())
                            + (path.isEmpty() ? "" : ", in " + path) + ": " + yamlProblem(e)));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("unreadable: " + e.getMessage()));
        }
        if (tree.isNull()) {
            throw new ConfigException(source, List.of("empty document"));
        }
        if (!tree.isObject()) {
            throw new ConfigException(source, List.of("<root>: " + kind(tree) + " (expected: a mapping of keys)"));
        }
        return tree;
    }

    /**
     * The value at the parser's current token as a tree node, recording where each key and each
     * list element starts by JSON pointer. A YAML 1.1 boolean written other than {@code true} or
     * {@code false} stays the text it was ({@code NO} is Norway, not false): no config has a
     * boolean, and a string key or value must not change under the loader.
     */
    private static JsonNode node(JsonParser p, Map<String, JsonLocation> where, String[] context) throws IOException {
        String pointer = p.getParsingContext().pathAsPointer().toString();
        context[0] = pointer;
        where.putIfAbsent(pointer, p.currentTokenLocation());
        JsonToken t = p.currentToken();
        var nodes = MAPPER.getNodeFactory();
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = nodes.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    where.put(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation());
                    p.nextToken();
                    o.set(name, node(p, where, context));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = nodes.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(node(p, where, context));
                }
                return a;
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> nodes.numberNode(p.getIntValue());
                    case LONG -> nodes.numberNode(p.getLongValue());
                    default -> nodes.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return nodes.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                String text = p.getText();
                return text.equals("true") || text.equals("false")
                        ? nodes.booleanNode(t == JsonToken.VALUE_TRUE)
                        : nodes.textNode(text);
            }
            case VALUE_NULL -> {
                return nodes.nullNode();
            }
            case VALUE_EMBEDDED_OBJECT -> {
                return nodes.pojoNode(p.getEmbeddedObject());
            }
            default -> {
                return nodes.textNode(p.getText());
            }
        }
    }

    /**
     * The YAML parser's problem, without the excerpts and positions it repeats: SnakeYAML writes
     * "while scanning X", an excerpt, then "found Y", another excerpt; this gives "found Y (while
     * scanning X)".
     */
    private static String yamlProblem(JsonProcessingException e) {
        List<String> words = new ArrayList<>();
        for (String line : String.valueOf(e.getOriginalMessage()).split("\n")) {
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                words.add(line.strip());
            }
        }
        if (words.isEmpty()) {
            return "unreadable";
        }
        String problem = words.get(words.size() - 1);
        return words.size() == 1
                ? problem
                : problem + " (" + String.join(", ", words.subList(0, words.size() - 1)) + ")";
    }

    /** Our words for a value or key that did not bind. */
    private static String describe(JsonMappingException e, String path, JsonNode node) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null
                    ? ""
                    : u.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", "));
            return path + ": unknown key (expected one of: " + known + ")";
        }
        if (e instanceof ValueInstantiationException && e.getCause() != null) {
            return path + ": " + e.getCause().getMessage();
        }
        if (e instanceof InvalidFormatException f) {
            String problem = e.getOriginalMessage();
            if (f.getTargetType() == Duration.class || problem.startsWith("not a duration")) {
                return path + ": " + f.getValue() + " (expected: " + DURATION_HINT + ")";
            }
            return path + ": " + f.getValue() + " (expected: " + expected(f.getTargetType()) + ")";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return path + ": " + kind(node) + " (expected: " + expected(m.getTargetType()) + ")";
        }
        return path + ": " + e.getOriginalMessage();
    }

    /** What a value of {@code type} looks like, in words. */
    static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Duration.class) {
            return DURATION_HINT;
        }
        if (type == Path.class) {
            return "a file path";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys";
        }
        if (type.isEnum()) {
            StringBuilder b = new StringBuilder("one of:");
            for (Object c : type.getEnumConstants()) {
                b.append(' ').append(c.toString().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            return b.toString();
        }
        return "a " + type.getSimpleName();
    }

    /** What the file holds at a place, in words: "a list", "a mapping", or the scalar itself. */
    private static String kind(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isMissingNode() || node.isNull()) {
            return "no value";
        }
        return node.isTextual() ? '"' + node.asText() + '"' : node.asText();
    }

    private static String at(@Nullable JsonLocation l) {
        return l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }

    private static String pointer(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append('/').append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
            } else if (r.getIndex() >= 0) {
                sb.append('/').append(r.getIndex());
            }
        }
        return sb.toString();
    }

    /** Takes the node at {@code pointer} out of its parent; false if there is none (the root). */
    private static boolean remove(JsonNode tree, String pointer) {
        int slash = pointer.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        JsonNode parent = tree.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (parent instanceof ObjectNode o) {
            return o.remove(last) != null;
        }
        if (parent instanceof ArrayNode a && last.chars().allMatch(Character::isDigit) && !last.isEmpty()) {
            int i = Integer.parseInt(last);
            if (i < a.size()) {
                // Keep the indexes of later elements: the element becomes null and binds as one.
                a.set(i, a.nullNode());
                return true;
            }
        }
        return false;
    }

    /** The {@code a.b[2].c} path at the start of a validation message, or null if it has none. */
    private static @Nullable String leadingPath(String error) {
        int colon = error.indexOf(": ");
        if (colon <= 0) {
            return null;
        }
        String path = error.substring(0, colon);
        return path.matches("[a-z0-9-]+(\\[\\d+\\]|\\.[a-z0-9-]+)*") ? path : null;
    }

    /** {@code a.b[2].c} as the JSON pointer {@code /a/b/2/c}. */
    private static String pointerOf(String path) {
        return "/" + path.replace("[", ".").replace("]", "").replace('.', '/');
    }

    /** {@code /a/b/2/c} as {@code a.b[2].c}. */
    private static String pathOf(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(part).append(']');
            } else {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(part);
            }
        }
        return sb.toString();
    }

    private static boolean underAny(String pointer, Set<String> reported) {
        for (String r : reported) {
            if (pointer.equals(r) || pointer.startsWith(r + "/") || r.startsWith(pointer + "/")) {
                return true;
            }
        }
        return false;
    }

    private static String path(JsonMappingException e) {
        String p = pathOf(pointer(e));
        return p.isEmpty() ? "<root>" : p;
    }

    /** Durations in the short forms as well as ISO-8601; a bare number is refused (which unit?). */
    private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            if (p.currentToken() != JsonToken.VALUE_STRING || text == null) {
                JavaType t = ctxt.constructType(Duration.class);
                throw InvalidFormatException.from(
                        p, "not a duration (expected: " + DURATION_HINT + ")", p.getText(), t.getRawClass());
            }
            try {
                return parseDuration(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, String.valueOf(e.getMessage()), text, Duration.class);
            }
        }
    }
}
