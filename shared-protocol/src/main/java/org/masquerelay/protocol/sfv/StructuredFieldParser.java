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
package org.masquerelay.protocol.sfv;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.masquerelay.protocol.ProtocolException;

/**
 * Strict <a href="https://www.rfc-editor.org/rfc/rfc8941#section-4.2">RFC 8941 §4.2</a> parser,
 * reduced to what the fields of this project need: Lists and Dictionaries whose members are Items
 * (inner lists are left to the caller, which rejects them), and single Items.
 *
 * <p>It is a cursor over one field value. Top-level methods ({@link #parseList}, {@link
 * #parseDictionary}, {@link #parseItem}) hand each member to a callback as soon as it is read, so
 * the caller checks types and names while the offset still points at the member, and every error
 * reads {@code <field>: <problem> at offset <n>}. Callers that read list members themselves use
 * the building blocks ({@link #peek}, {@link #parseString}, {@link #parseToken}, {@link
 * #parseParameters}, {@link #fail}).
 *
 * <p>Bare Items (§3.3) come back as: Integer → {@link Long}, Decimal → {@link BigDecimal}, String
 * → {@link String}, Token → {@link Token}, Byte Sequence → {@code byte[]}, Boolean → {@link
 * Boolean}.
 *
 * <p>Not thread-safe; one instance parses one value once.
 */
public final class StructuredFieldParser {

    private final String field;
    private final String input;
    private final Function<String, ? extends ProtocolException> errors;
    private int pos;

    /**
     * Creates a parser for one field value.
     *
     * @param field the field name, which starts every error message
     * @param input the field value
     * @param errors makes the exception thrown for a malformed value from its message
     */
    public StructuredFieldParser(String field, String input, Function<String, ? extends ProtocolException> errors) {
        this.field = Objects.requireNonNull(field, "field");
        this.input = Objects.requireNonNull(input, "input");
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    /** RFC 8941 §3.3.4: {@code sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" )}. */
    public static boolean isToken(String s) {
        if (s.isEmpty() || !isTokenStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Returns whether {@code c} may start an sf-token (RFC 8941 §3.3.4). */
    public static boolean isTokenStart(char c) {
        return isAlpha(c) || c == '*';
    }

    private static boolean isAlpha(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** RFC 9110 §5.6.2 tchar, plus ":" and "/" (RFC 8941 §3.3.4). */
    private static boolean isTokenChar(char c) {
        return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0;
    }

    /**
     * Parses the whole value as a List (RFC 8941 §4.2.1). {@code member} is called at the start of
     * each member and must consume it, parameters included. An empty value gives an empty list.
     */
    public <T> List<T> parseList(Function<StructuredFieldParser, T> member) {
        List<T> members = new ArrayList<>();
        skipSpaces();
        if (atEnd()) {
            return members;
        }
        for (; ; ) {
            members.add(member.apply(this));
            if (skipMemberSeparator("list")) {
                return members;
            }
        }
    }

    /**
     * Parses the whole value as a Dictionary (RFC 8941 §4.2.2) of Items. For each member, in order,
     * {@code member} receives the key and the bare item right after the item is read (a key without
     * a value gives {@link Boolean#TRUE}), then {@code parameter} receives each of its parameters.
     * Repeated keys are passed on as they come: RFC 8941 lets the last one win, strict callers
     * reject them. An inner list as a value is malformed here.
     */
    public void parseDictionary(BiConsumer<String, Object> member, BiConsumer<String, Object> parameter) {
        skipSpaces();
        if (atEnd()) {
            return;
        }
        for (; ; ) {
            String key = parseKey("dictionary key");
            Object value = Boolean.TRUE;
            if (!atEnd() && input.charAt(pos) == '=') {
                pos++;
                if (!atEnd() && input.charAt(pos) == '(') {
                    throw fail("inner lists are not allowed in " + field);
                }
                value = parseBareItem("dictionary value");
            }
            member.accept(key, value);
            parseParameters(parameter);
            if (skipMemberSeparator("dictionary")) {
                return;
            }
        }
    }

    /**
     * Parses the whole value as an Item (RFC 8941 §4.2 with §4.2.3) and returns its bare item;
     * {@code parameter} receives each parameter.
     */
    public Object parseItem(BiConsumer<String, Object> parameter) {
        skipSpaces();
        Object value = parseBareItem("bare item");
        parseParameters(parameter);
        skipSpaces();
        if (!atEnd()) {
            throw fail("unexpected character after item");
        }
        return value;
    }

    /**
     * Skips the separator after a List or Dictionary member (RFC 8941 §4.2.1 steps 2.3-2.7).
     *
     * @return whether the value ended after the member
     */
    private boolean skipMemberSeparator(String container) {
        skipOws();
        if (atEnd()) {
            return true;
        }
        if (input.charAt(pos) != ',') {
            throw fail("expected ',' after " + container + " member");
        }
        pos++;
        skipOws();
        if (atEnd()) {
            throw fail("trailing ',' at end of " + container);
        }
        return false;
    }

    /**
     * Parses parameters (RFC 8941 §4.2.3.2) and passes each to {@code parameter} right after it is
     * read, so the callback can {@link #fail} at its offset. A key without a value gives {@link
     * Boolean#TRUE}; a repeated key is passed again (RFC 8941: the later value wins).
     */
    public void parseParameters(BiConsumer<String, Object> parameter) {
        while (!atEnd() && input.charAt(pos) == ';') {
            pos++;
            skipSpaces();
            String key = parseKey("parameter key");
            Object value = Boolean.TRUE;
            if (!atEnd() && input.charAt(pos) == '=') {
                pos++;
                value = parseBareItem("parameter value");
            }
            parameter.accept(key, value);
        }
    }

    /** RFC 8941 §4.2.3.3. */
    private String parseKey(String what) {
        if (atEnd()) {
            throw fail("expected a " + what);
        }
        char first = input.charAt(pos);
        if (!(first >= 'a' && first <= 'z' || first == '*')) {
            throw fail(what + " must start with a lower-case letter or '*'");
        }
        int start = pos++;
        while (!atEnd()) {
            char c = input.charAt(pos);
            if (c >= 'a' && c <= 'z' || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*') {
                pos++;
            } else {
                break;
            }
        }
        return input.substring(start, pos);
    }

    /** RFC 8941 §4.2.3.1; {@code what} names the item in errors. */
    private Object parseBareItem(String what) {
        if (atEnd()) {
            throw fail("expected a " + what);
        }
        char c = input.charAt(pos);
        if (c == '-' || isDigit(c)) {
            return parseNumber();
        }
        if (c == '"') {
            return parseString();
        }
        if (isTokenStart(c)) {
            return new Token(parseToken());
        }
        if (c == ':') {
            return parseByteSequence();
        }
        if (c == '?') {
            return parseBoolean();
        }
        throw fail("unrecognized " + what);
    }

    /** RFC 8941 §4.2.4: a {@link Long} for an Integer, a {@link BigDecimal} for a Decimal. */
    private Object parseNumber() {
        int start = pos;
        if (input.charAt(pos) == '-') {
            pos++;
        }
        if (atEnd() || !isDigit(input.charAt(pos))) {
            throw fail("expected a digit");
        }
        int digits = 0;
        int dot = -1;
        while (!atEnd()) {
            char c = input.charAt(pos);
            if (isDigit(c)) {
                digits++;
            } else if (c == '.' && dot < 0) {
                if (digits > 12) {
                    throw fail("decimal has more than 12 integer digits");
                }
                dot = digits;
            } else {
                break;
            }
            pos++;
            if (dot < 0 && digits > 15) {
                throw fail("integer has more than 15 digits");
            }
        }
        String text = input.substring(start, pos);
        if (dot < 0) {
            return Long.parseLong(text);
        }
        int fraction = digits - dot;
        if (fraction == 0) {
            throw fail("decimal ends with '.'");
        }
        if (fraction > 3) {
            throw fail("decimal has more than 3 fractional digits");
        }
        return new BigDecimal(text);
    }

    /** RFC 8941 §4.2.5; the cursor must be at the opening {@code "}. */
    public String parseString() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (!atEnd()) {
            char c = input.charAt(pos++);
            if (c == '\\') {
                if (atEnd()) {
                    break;
                }
                char next = input.charAt(pos++);
                if (next != '"' && next != '\\') {
                    pos -= 2;
                    throw fail("invalid escape in string");
                }
                sb.append(next);
            } else if (c == '"') {
                return sb.toString();
            } else if (c < 0x20 || c > 0x7E) {
                pos--;
                throw fail("string contains a character outside printable ASCII");
            } else {
                sb.append(c);
            }
        }
        pos = start;
        throw fail("unterminated string");
    }

    /** RFC 8941 §4.2.6; the cursor must be at a character for which {@link #isTokenStart} holds. */
    public String parseToken() {
        int start = pos++;
        while (!atEnd() && isTokenChar(input.charAt(pos))) {
            pos++;
        }
        return input.substring(start, pos);
    }

    /**
     * RFC 8941 §4.2.7. Decodes as §4.2.7 asks recipients to: missing {@code =} padding and non-zero
     * pad bits are accepted; callers that need one encoding per value compare re-encoded bytes.
     */
    private byte[] parseByteSequence() {
        int start = ++pos;
        while (!atEnd() && input.charAt(pos) != ':') {
            char c = input.charAt(pos);
            if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=')) {
                throw fail("byte sequence contains a character outside base64");
            }
            pos++;
        }
        if (atEnd()) {
            pos = start - 1;
            throw fail("unterminated byte sequence");
        }
        String base64 = input.substring(start, pos++);
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw fail("byte sequence is not valid base64");
        }
    }

    /** RFC 8941 §4.2.8. */
    private Boolean parseBoolean() {
        pos++;
        if (!atEnd()) {
            char c = input.charAt(pos);
            if (c == '0' || c == '1') {
                pos++;
                return c == '1';
            }
        }
        throw fail("boolean must be ?0 or ?1");
    }

    /** Returns the character at the cursor; callers in {@link #parseList} are never at the end. */
    public char peek() {
        return input.charAt(pos);
    }

    private boolean atEnd() {
        return pos >= input.length();
    }

    private void skipSpaces() {
        while (!atEnd() && input.charAt(pos) == ' ') {
            pos++;
        }
    }

    private void skipOws() {
        while (!atEnd() && (input.charAt(pos) == ' ' || input.charAt(pos) == '\t')) {
            pos++;
        }
    }

    /**
     * Returns the caller's exception for {@code problem} at the cursor, for the caller to throw:
     * {@code <field>: <problem> at offset <n>}.
     */
    public ProtocolException fail(String problem) {
        return errors.apply(field + ": " + problem + " at offset " + pos);
    }

    /**
     * An sf-token (RFC 8941 §3.3.4), kept apart from {@link String} because fields such as
     * Proxy-Status's {@code error} must be one.
     *
     * @param value the token's characters
     */
    public record Token(String value) {}
}
