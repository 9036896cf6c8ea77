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
package org.masquerelay.protocol.token;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * An issuer directory (<a href="https://www.rfc-editor.org/rfc/rfc9578#section-4">RFC 9578
 * §4</a>), the JSON object an issuer serves at {@code /.well-known/private-token-issuer-directory}
 * with media type {@code application/private-token-issuer-directory}:
 *
 * <pre>
 * {
 *   "issuer-request-uri": "https://issuer.example.net/request",
 *   "token-keys": [
 *     {"token-type": 2, "token-key": "MI...AB", "not-before": 1686913811},
 *     {"token-type": 2, "token-key": "MI...AQ"}
 *   ]
 * }
 * </pre>
 *
 * <p>"token-key" is padded base64url of the key's encoding for its token type (for 0x0002, the
 * {@link TokenKey} SubjectPublicKeyInfo). Keys are listed in the issuer's order of preference.
 *
 * <p>{@link #fromJson} parses strict <a href="https://www.rfc-editor.org/rfc/rfc8259">RFC 8259</a>
 * JSON of at most {@link #MAX_LENGTH} characters and checks the type of every member the RFC
 * defines; members it does not define are ignored, so issuers can add fields. (The RFC's own
 * example has trailing commas and is therefore rejected.) Reading and writing use Jackson's
 * streaming API with none of its lenient features: no comments, no trailing commas, no leading
 * zeros, no NaN, no unescaped control characters; duplicate member names, nesting deeper than
 * 16 and anything after the value are refused too, and so are unpaired surrogates and non-ASCII
 * <code>&#92;u</code> digits, which Jackson's char parser would let through.
 *
 * @param issuerRequestUri where to send TokenRequests, an absolute URL or one relative to the
 *     directory
 * @param tokenKeys the issuer's keys, most preferred first
 */
public record IssuerDirectory(String issuerRequestUri, List<TokenKeyEntry> tokenKeys) {

    /** Longest directory {@link #fromJson} reads, in characters. */
    public static final int MAX_LENGTH = 65_536;

    private static final String WHAT = "issuer directory";

    /** Deepest nesting of objects and arrays {@link #fromJson} reads. */
    private static final int MAX_DEPTH = 16;

    /** The JSON {@code null} literal, as {@link #readJson} returns it. */
    private static final Object NULL = new Object();

    /**
     * Jackson with the strictness RFC 8259 asks for. Its lenient features (comments, trailing
     * commas, leading zeros, NaN, unquoted control characters) are off by default and stay off.
     * Member names are not pooled: they come from a peer and need not outlive the document. The
     * number and name length limits are raised to the document limit, which already bounds them,
     * so the only limit Jackson itself enforces is the nesting depth; numbers are never turned
     * into BigInteger or BigDecimal here, so long ones cost no more than long strings.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_LENGTH)
                    .maxNameLength(MAX_LENGTH)
                    .build())
            .build();

    /**
     * One member of "token-keys".
     *
     * @param tokenType "token-type", 0-65535
     * @param tokenKey "token-key", decoded from base64url; its format depends on the token type
     * @param notBefore "not-before", UNIX seconds from which the key may be used, if given
     */
    public record TokenKeyEntry(int tokenType, byte[] tokenKey, OptionalLong notBefore) {

        /**
         * Validates and copies the key.
         *
         * @throws MalformedTokenException if a field is out of range
         */
        public TokenKeyEntry {
            if (tokenType < 0 || tokenType > 0xFFFF) {
                throw new MalformedTokenException(WHAT + ": token-type " + tokenType + " (expected: 0-65535)");
            }
            if (tokenKey.length == 0) {
                throw new MalformedTokenException(WHAT + ": token-key is empty");
            }
            if (notBefore.isPresent() && notBefore.getAsLong() < 0) {
                throw new MalformedTokenException(
                        WHAT + ": not-before " + notBefore.getAsLong() + " (expected: 0 or more)");
            }
            tokenKey = tokenKey.clone();
        }

        /** Returns a copy of the key's encoding. */
        @Override
        public byte[] tokenKey() {
            return tokenKey.clone();
        }

        /** Returns whether a client may use the key at {@code epochSecond} (RFC 9578 §4). */
        public boolean usableAt(long epochSecond) {
            return notBefore.isEmpty() || notBefore.getAsLong() <= epochSecond;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenKeyEntry other
                    && tokenType == other.tokenType
                    && Arrays.equals(tokenKey, other.tokenKey)
                    && notBefore.equals(other.notBefore);
        }

        @Override
        public int hashCode() {
            return (31 * tokenType + Arrays.hashCode(tokenKey)) * 31 + notBefore.hashCode();
        }

        @Override
        public String toString() {
            return String.format(
                    "TokenKeyEntry[tokenType=0x%04x, tokenKey=%d bytes, notBefore=%s]",
                    tokenType, tokenKey.length, notBefore);
        }
    }

    /**
     * Validates the URI and copies the list.
     *
     * @throws MalformedTokenException if {@code issuerRequestUri} is not a URI reference or not
     *     Unicode text
     */
    public IssuerDirectory {
        if (issuerRequestUri.isEmpty()) {
            throw new MalformedTokenException(WHAT + ": issuer-request-uri is empty");
        }
        // java.net.URI takes unpaired surrogates as "other" characters, but JSON text is UTF-8
        // (RFC 8259 §8.1), which cannot carry them: toJson would write what fromJson refuses.
        if (issuerRequestUri
                .codePoints()
                .anyMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
            throw new MalformedTokenException(
                    WHAT + ": issuer-request-uri has an unpaired surrogate (not Unicode text)");
        }
        try {
            new URI(issuerRequestUri);
        } catch (URISyntaxException e) {
            throw new MalformedTokenException(WHAT + ": issuer-request-uri is not a URI reference (RFC 3986)");
        }
        tokenKeys = List.copyOf(tokenKeys);
    }

    /**
     * Parses a directory.
     *
     * @throws MalformedTokenException if {@code json} is too long, is not strict JSON, or lacks or
     *     mistypes a member of RFC 9578 §4
     */
    public static IssuerDirectory fromJson(String json) {
        if (json.length() > MAX_LENGTH) {
            throw new MalformedTokenException(WHAT + " length " + json.length() + " exceeds limit " + MAX_LENGTH);
        }
        if (!(readJson(WHAT, json) instanceof Map<?, ?> root)) {
            throw new MalformedTokenException(WHAT + ": the document must be a JSON object");
        }
        String uri = member(String.class, "issuer-request-uri", root.get("issuer-request-uri"), "a string");
        List<?> keys = member(List.class, "token-keys", root.get("token-keys"), "an array");
        List<TokenKeyEntry> entries = new ArrayList<>(keys.size());
        for (Object key : keys) {
            Map<?, ?> fields = member(Map.class, "token-keys[" + entries.size() + "]", key, "an object");
            entries.add(entry(fields));
        }
        return new IssuerDirectory(uri, entries);
    }

    /** Returns the directory as compact JSON, members in RFC 9578 §4 order. */
    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("issuer-request-uri", issuerRequestUri);
            json.writeArrayFieldStart("token-keys");
            for (TokenKeyEntry key : tokenKeys) {
                json.writeStartObject();
                json.writeNumberField("token-type", key.tokenType());
                json.writeStringField("token-key", Base64Url.encode(key.tokenKey));
                if (key.notBefore().isPresent()) {
                    json.writeNumberField("not-before", key.notBefore().getAsLong());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * Returns the key a client should use for {@code tokenType} at {@code epochSecond}: the first
     * of that type without a "not-before" in the future (RFC 9578 §4).
     */
    public Optional<TokenKeyEntry> preferredKey(int tokenType, long epochSecond) {
        return tokenKeys.stream()
                .filter(key -> key.tokenType() == tokenType && key.usableAt(epochSecond))
                .findFirst();
    }

    private static TokenKeyEntry entry(Map<?, ?> fields) {
        Long type = integer("token-type", fields.get("token-type"), 0xFFFF);
        String key = member(String.class, "token-key", fields.get("token-key"), "a string");
        Object notBefore = fields.get("not-before");
        return new TokenKeyEntry(
                type.intValue(),
                Base64Url.decode(WHAT + ": token-key", key),
                notBefore == null
                        ? OptionalLong.empty()
                        : OptionalLong.of(integer("not-before", notBefore, Long.MAX_VALUE)));
    }

    private static Long integer(String name, @Nullable Object value, long max) {
        JsonNumber number = member(JsonNumber.class, name, value, "a number");
        if (number.integer().isEmpty()
                || number.integer().getAsLong() < 0
                || number.integer().getAsLong() > max) {
            throw new MalformedTokenException(WHAT + ": \"" + name + "\" must be an integer from 0 to " + max);
        }
        return number.integer().getAsLong();
    }

    private static <T> T member(Class<T> type, String name, @Nullable Object value, String expected) {
        if (value == null) {
            throw new MalformedTokenException(WHAT + ": \"" + name + "\" is missing");
        }
        if (!type.isInstance(value)) {
            throw new MalformedTokenException(WHAT + ": \"" + name + "\" must be " + expected);
        }
        return type.cast(value);
    }

    /**
     * Appends {@code value} as a JSON string (RFC 8259 §7), escaped the way {@link #toJson} escapes
     * it.
     */
    static void writeJsonString(StringBuilder out, String value) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        out.append(text);
    }

    /**
     * Parses one strict RFC 8259 JSON text. Values come back as {@link Map} (member order kept),
     * {@link List}, {@link String}, a number, {@link Boolean} or the {@code null} literal.
     *
     * @param what names the document in error messages
     * @throws MalformedTokenException if {@code text} is not strict RFC 8259 JSON
     */
    static Object readJson(String what, String text) {
        // A char[] is parsed from one buffer, so Jackson's offsets are offsets into text.
        try (JsonParser parser = JSON.createParser(text.toCharArray())) {
            return new JsonReader(what, text, parser).document();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // JsonReader turns parse errors into MalformedTokenException
        }
    }

    /**
     * A JSON number (RFC 8259 §6).
     *
     * @param integer its value if it is an integer a {@code long} can hold
     */
    private record JsonNumber(OptionalLong integer) {}

    /**
     * Builds the values of one document from Jackson's tokens and words its errors. Messages say
     * what was wrong and the offset, in UTF-16 units, never the peer's text (as Jackson's do).
     */
    private static final class JsonReader {
        private final String what;
        private final String text;
        private final JsonParser parser;

        JsonReader(String what, String text, JsonParser parser) {
            this.what = what;
            this.text = text;
            this.parser = parser;
        }

        Object document() throws IOException {
            try {
                Object value = value(parser.nextToken());
                // RFC 8259 §2: a JSON text is one value, with only whitespace around it.
                int end = skipWhitespace((int) parser.currentLocation().getCharOffset());
                if (trailingToken()) {
                    throw error("unexpected data after the JSON value", end);
                }
                return value;
            } catch (JsonProcessingException e) {
                throw translate(e);
            }
        }

        private boolean trailingToken() throws IOException {
            try {
                return parser.nextToken() != null;
            } catch (JsonProcessingException e) {
                return true;
            }
        }

        private Object value(JsonToken token) throws IOException {
            if (token == null) {
                throw error("unexpected end of input", text.length());
            }
            return switch (token) {
                case START_OBJECT -> {
                    Map<String, Object> members = new LinkedHashMap<>();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String name = string(parser.currentName());
                        members.put(name, value(parser.nextToken()));
                    }
                    yield members;
                }
                case START_ARRAY -> {
                    List<Object> elements = new ArrayList<>();
                    for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                        elements.add(value(t));
                    }
                    yield elements;
                }
                case VALUE_STRING -> string(parser.getText());
                case VALUE_NUMBER_INT ->
                    new JsonNumber(
                            parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                                    ? OptionalLong.empty()
                                    : OptionalLong.of(parser.getLongValue()));
                case VALUE_NUMBER_FLOAT -> new JsonNumber(OptionalLong.empty());
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NULL -> NULL;
                default -> throw new IllegalStateException("no JSON value starts with " + token);
            };
        }

        /**
         * Checks a string literal Jackson has decoded for two things it lets through. Its char
         * parser reads a <code>&#92;u</code> digit by the low byte of the char, so U+0966 counts
         * as 'f'; RFC 8259 §7 allows only ASCII hex digits. And it passes unpaired surrogates, raw
         * or escaped: JSON text is UTF-8 (RFC 8259 §8.1), which cannot carry them, and §8.2 leaves
         * what a reader makes of an escaped one unpredictable. A raw high surrogate must be
         * followed by a raw low one, an escaped one by an escaped one.
         */
        private String string(String decoded) {
            // Jackson has read the literal: it is closed and each escape is complete.
            int i = (int) parser.currentTokenLocation().getCharOffset() + 1;
            while (i < text.length() && text.charAt(i) != '"') {
                char c = text.charAt(i);
                if (c == '\\' && text.startsWith("u", i + 1)) {
                    char unit = hex4(i + 2);
                    i += 6;
                    if (Character.isSurrogate(unit)) {
                        boolean paired = false;
                        if (Character.isHighSurrogate(unit) && text.startsWith("\\u", i)) {
                            paired = Character.isLowSurrogate(hex4(i + 2));
                            i += 6;
                        }
                        if (!paired) {
                            throw error("unpaired surrogate escape", i);
                        }
                    }
                } else if (c == '\\') {
                    i += 2;
                } else if (Character.isHighSurrogate(c)
                        && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i += 2;
                } else if (Character.isSurrogate(c)) {
                    throw error("unpaired surrogate", i);
                } else {
                    i++;
                }
            }
            return decoded;
        }

        /** Returns the UTF-16 unit that the four ASCII hex digits from {@code start} on spell. */
        private char hex4(int start) {
            for (int i = start; i < start + 4; i++) {
                if (i >= text.length() || "0123456789abcdefABCDEF".indexOf(text.charAt(i)) < 0) {
                    throw error("invalid \\u escape", i + 1);
                }
            }
            return (char) Integer.parseInt(text, start, start + 4, 16);
        }

        /**
         * Words a Jackson error in this reader's terms, at the offset where the text stops being
         * JSON. Jackson 2 gives no error codes, so its messages are matched; one not matched reads
         * "unexpected character". Jackson's location is where it stopped reading, which for a bad
         * escape or control character is the character itself and for a bad number depends on how
         * far its fast path read ahead, so those offsets are found here from the value's start.
         */
        private MalformedTokenException translate(JsonProcessingException e) {
            if (e instanceof StreamConstraintsException) {
                // The number and name limits are the document's; only nesting can be too much.
                return error(
                        "nesting deeper than " + MAX_DEPTH,
                        (int) parser.currentLocation().getCharOffset() - 1);
            }
            if (e instanceof JsonEOFException eof) {
                boolean inString = eof.getTokenBeingDecoded() == JsonToken.VALUE_STRING
                        || eof.getTokenBeingDecoded() == JsonToken.FIELD_NAME;
                return error(inString ? "unterminated string" : "unexpected end of input", text.length());
            }
            String problem = String.valueOf(e.getOriginalMessage());
            int at = e.getLocation() == null
                    ? text.length()
                    : (int) e.getLocation().getCharOffset();
            if (problem.startsWith("Unexpected end-of-input")) {
                return error("unexpected end of input", text.length());
            }
            int token = valueStart();
            if (problem.startsWith("Duplicate field")) {
                return error("duplicate member name", at);
            } else if (problem.contains("double-quote to start field name")) {
                return error("expected a member name", at);
            } else if (problem.contains("a colon to separate field name and value")) {
                return error("expected ':'", at);
            } else if (problem.contains("comma to separate")) {
                return error("expected ','", at);
            } else if (problem.contains("Expected space separating root-level values")) {
                return error("unexpected data after the JSON value", at);
            } else if (problem.contains("Leading zeroes not allowed")) {
                return error("number with a leading zero", at);
            } else if (problem.contains("to follow minus sign")) {
                return error("expected a digit", token + 1);
            } else if (problem.contains("Decimal point not followed by a digit")) {
                return error("expected a digit", text.indexOf('.', token) + 1);
            } else if (problem.contains("Exponent indicator not followed by a digit")) {
                int digit = token;
                while (digit < text.length() && "eE".indexOf(text.charAt(digit)) < 0) {
                    digit++;
                }
                digit++;
                if (text.startsWith("+", digit) || text.startsWith("-", digit)) {
                    digit++;
                }
                return error("expected a digit", digit);
            } else if (problem.startsWith("Unrecognized token") || problem.startsWith("Non-standard token")) {
                return error("unexpected character", token);
            } else if (problem.contains("plus signs")) {
                return error("unexpected character", token);
            } else if (problem.startsWith("Illegal unquoted character")) {
                return error("control character in a string", at + 1);
            } else if (problem.startsWith("Unrecognized character escape")) {
                return error("invalid escape", at + 1);
            } else if (problem.contains("hex-digit for character escape sequence")) {
                return error("invalid \\u escape", at + 1);
            } else if (problem.startsWith("Illegal character")) {
                return error("unexpected character", at - 1); // Jackson is past it
            }
            return error("unexpected character", at);
        }

        /**
         * Returns where the value Jackson failed on starts. Jackson reads a member's name, the colon
         * and the value in one step and then gives the name's location, so for a member's value
         * this skips the name (which Jackson has read, so it is closed), the colon and whitespace.
         */
        private int valueStart() {
            int i = (int) parser.currentTokenLocation().getCharOffset();
            if (parser.currentToken() != JsonToken.FIELD_NAME) {
                return i;
            }
            i++;
            while (i < text.length() && text.charAt(i) != '"') {
                i += text.charAt(i) == '\\' ? 2 : 1;
            }
            i = skipWhitespace(i + 1);
            return text.startsWith(":", i) ? skipWhitespace(i + 1) : i;
        }

        /** Returns the offset of the first character from {@code i} on that is not RFC 8259 §2 whitespace. */
        private int skipWhitespace(int i) {
            while (i < text.length() && " \t\n\r".indexOf(text.charAt(i)) >= 0) {
                i++;
            }
            return i;
        }

        private MalformedTokenException error(String problem, int offset) {
            return new MalformedTokenException(what + ": " + problem + " at offset " + offset);
        }
    }
}
