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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict reader and a tiny writer for <a href="https://www.rfc-editor.org/rfc/rfc8259">RFC
 * 8259</a> JSON, enough for the issuer directory (RFC 9578 §4) without a JSON library in this
 * module.
 *
 * <p>The reader takes exactly the RFC 8259 grammar: no comments, no trailing commas, no leading
 * zeros, no control characters or unpaired surrogates in strings, no duplicate member names, and
 * nothing after the value. It also bounds nesting. Values come back as {@link Map} (member order
 * kept), {@link List}, {@link String}, {@link JsonNumber} (the number's text), {@link Boolean} or
 * {@link #NULL}.
 */
final class Json {

    /** The JSON {@code null} literal. */
    static final Object NULL = new Object();

    private static final int MAX_DEPTH = 16;

    /** A JSON number, kept as its text so a reader can insist on an integer. */
    record JsonNumber(String text) {
        /** Returns the value if it is an integer in [min, max]; otherwise {@code null}. */
        @Nullable
        Long integer(long min, long max) {
            if (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
                return null;
            }
            try {
                long value = Long.parseLong(text);
                return value >= min && value <= max ? value : null;
            } catch (NumberFormatException e) {
                return null; // beyond a long
            }
        }
    }

    private final String what;
    private final String text;
    private int pos;

    private Json(String what, String text) {
        this.what = what;
        this.text = text;
    }

    /**
     * Parses one JSON text.
     *
     * @param what names the document in error messages
     * @throws MalformedTokenException if {@code text} is not strict RFC 8259 JSON
     */
    static Object parse(String what, String text) {
        Json json = new Json(what, text);
        json.skipWhitespace();
        Object value = json.value(0);
        json.skipWhitespace();
        if (json.pos != text.length()) {
            throw json.error("unexpected data after the JSON value");
        }
        return value;
    }

    /** Appends {@code value} as a JSON string (RFC 8259 §7). */
    static void writeString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private Object value(int depth) {
        if (pos >= text.length()) {
            throw error("unexpected end of input");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (consume('}')) {
            return members;
        }
        while (true) {
            skipWhitespace();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw error("expected a member name");
            }
            String name = string();
            if (members.containsKey(name)) {
                throw error("duplicate member name");
            }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            members.put(name, value(depth));
            skipWhitespace();
            if (consume('}')) {
                return members;
            }
            expect(',');
        }
    }

    private List<Object> array(int depth) {
        checkDepth(depth);
        pos++; // '['
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (consume(']')) {
            return elements;
        }
        while (true) {
            skipWhitespace();
            elements.add(value(depth));
            skipWhitespace();
            if (consume(']')) {
                return elements;
            }
            expect(',');
        }
    }

    private String string() {
        pos++; // '"'
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c == '\\') {
                out.append(escape());
            } else if (Character.isSurrogate(c)) {
                pos--;
                out.append(surrogatePair(c));
            } else {
                out.append(c);
            }
        }
    }

    private String escape() {
        if (pos >= text.length()) {
            throw error("unterminated string");
        }
        char c = text.charAt(pos++);
        return switch (c) {
            case '"' -> "\"";
            case '\\' -> "\\";
            case '/' -> "/";
            case 'b' -> "\b";
            case 'f' -> "\f";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'u' -> {
                char unit = hex4();
                if (!Character.isSurrogate(unit)) {
                    yield String.valueOf(unit);
                }
                if (Character.isHighSurrogate(unit) && text.startsWith("\\u", pos)) {
                    pos += 2;
                    char low = hex4();
                    if (Character.isLowSurrogate(low)) {
                        yield new String(new char[] {unit, low});
                    }
                }
                throw error("unpaired surrogate escape");
            }
            default -> throw error("invalid escape");
        };
    }

    private String surrogatePair(char high) {
        if (Character.isHighSurrogate(high)
                && pos + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(pos + 1))) {
            pos += 2;
            return text.substring(pos - 2, pos);
        }
        throw error("unpaired surrogate");
    }

    private char hex4() {
        if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            // RFC 8259 §7: HEXDIG is ASCII. Character.digit alone also takes fullwidth letters and
            // other scripts' digits (U+FF21, U+0660), which a strict reader must refuse.
            char c = text.charAt(pos++);
            int digit = c < 0x80 ? Character.digit(c, 16) : -1;
            if (digit < 0) {
                throw error("invalid \\u escape");
            }
            value = value * 16 + digit;
        }
        return (char) value;
    }

    private JsonNumber number() {
        int start = pos;
        consume('-');
        if (consume('0')) {
            // RFC 8259 §6: no leading zeros.
            if (pos < text.length() && isDigit(text.charAt(pos))) {
                throw error("number with a leading zero");
            }
        } else {
            digits();
        }
        if (consume('.')) {
            digits();
        }
        if (consume('e') || consume('E')) {
            if (!consume('+')) {
                consume('-');
            }
            digits();
        }
        return new JsonNumber(text.substring(start, pos));
    }

    private void digits() {
        int start = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a digit");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected character");
        }
        pos += word.length();
        return value;
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
    }

    private void skipWhitespace() {
        // RFC 8259 §2: space, horizontal tab, line feed, carriage return.
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private boolean consume(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) {
            throw error("expected '" + c + "'");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private MalformedTokenException error(String problem) {
        return new MalformedTokenException(what + ": " + problem + " at offset " + pos);
    }
}
