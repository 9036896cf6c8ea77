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
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses the HTTP authentication fields of <a
 * href="https://www.rfc-editor.org/rfc/rfc9110#section-11">RFC 9110 §11</a>:
 *
 * <pre>
 * WWW-Authenticate = #challenge              ; also Proxy-Authenticate
 * Authorization    = credentials             ; also Proxy-Authorization
 * challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 * credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 * auth-param  = token BWS "=" BWS ( token / quoted-string )
 * token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * </pre>
 *
 * <p>A comma separates both challenges and the parameters inside one, so the parser looks ahead:
 * after a comma, {@code token BWS "="} continues the parameters and anything else starts a new
 * challenge. Empty list elements are skipped as RFC 9110 §5.6.1 requires of recipients. Scheme
 * and parameter names are case-insensitive (§11.1, §11.2) and are returned in lower case; a
 * parameter name given twice in one challenge is an error (§11.2). Other schemes' challenges are
 * parsed, so that a PrivateToken challenge after them is found, and returned like any other.
 */
final class AuthHeaderParser {

    /** Longest field value parsed, in characters. */
    static final int MAX_FIELD_LENGTH = 8192;

    /**
     * One challenge or credentials.
     *
     * @param scheme the auth-scheme in lower case
     * @param token68 the token68 form, or {@code null} if the scheme has parameters instead
     * @param params the auth-params, names in lower case, in field order
     */
    record Challenge(String scheme, @Nullable String token68, Map<String, String> params) {}

    private final String field;
    private final String value;
    private int pos;

    private AuthHeaderParser(String field, String value) {
        this.field = field;
        this.value = value;
    }

    /**
     * Parses a challenge list.
     *
     * @param field the field name, for error messages
     * @throws MalformedTokenException if {@code value} is too long or not a #challenge list
     */
    static List<Challenge> parseChallenges(String field, String value) {
        AuthHeaderParser parser = new AuthHeaderParser(field, checkLength(field, value));
        List<Challenge> challenges = new ArrayList<>();
        while (parser.skipEmptyElements()) {
            challenges.add(parser.challenge());
        }
        return challenges;
    }

    /**
     * Parses one credentials value.
     *
     * @param field the field name, for error messages
     * @throws MalformedTokenException if {@code value} is too long or not exactly one credentials
     */
    static Challenge parseCredentials(String field, String value) {
        AuthHeaderParser parser = new AuthHeaderParser(field, checkLength(field, value));
        parser.skipWhitespace();
        Challenge credentials = parser.challenge();
        if (parser.skipEmptyElements()) {
            throw parser.error("more than one credentials");
        }
        return credentials;
    }

    private static String checkLength(String field, String value) {
        if (value.length() > MAX_FIELD_LENGTH) {
            throw new MalformedTokenException(
                    field + " length " + value.length() + " exceeds limit " + MAX_FIELD_LENGTH);
        }
        return value;
    }

    /** Parses one challenge; on return the position is at a comma or the end. */
    private Challenge challenge() {
        String scheme = token("an auth-scheme").toLowerCase(Locale.ROOT);
        int afterScheme = pos;
        skipWhitespace();
        if (atEnd() || peek() == ',') {
            return new Challenge(scheme, null, Map.of());
        }
        if (pos == afterScheme || value.charAt(afterScheme) != ' ') {
            throw error("expected a space after the auth-scheme");
        }
        String token68 = token68();
        if (token68 != null) {
            return new Challenge(scheme, token68, Map.of());
        }
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            String name = token("a parameter name").toLowerCase(Locale.ROOT);
            skipWhitespace();
            expect('=');
            skipWhitespace();
            String paramValue = atEnd() || peek() != '"' ? token("a parameter value") : quotedString();
            if (params.putIfAbsent(name, paramValue) != null) {
                throw error("parameter \"" + name + "\" given twice");
            }
            skipWhitespace();
            if (atEnd()) {
                return new Challenge(scheme, null, params);
            }
            if (peek() != ',') {
                throw error("expected ',' after a parameter");
            }
            int comma = pos;
            if (!skipEmptyElements()) {
                return new Challenge(scheme, null, params);
            }
            if (!startsParameter()) {
                pos = comma;
                return new Challenge(scheme, null, params);
            }
        }
    }

    /**
     * Reads a token68 if one stands here followed by the end of the challenge; otherwise leaves the
     * position unchanged and returns {@code null}.
     */
    private @Nullable String token68() {
        int start = pos;
        int i = pos;
        while (i < value.length() && isToken68Char(value.charAt(i))) {
            i++;
        }
        if (i == start) {
            return null;
        }
        while (i < value.length() && value.charAt(i) == '=') {
            i++;
        }
        int end = i;
        while (i < value.length() && isWhitespace(value.charAt(i))) {
            i++;
        }
        if (i < value.length() && value.charAt(i) != ',') {
            return null;
        }
        pos = i;
        return value.substring(start, end);
    }

    /** Looks ahead: does {@code token BWS "="} start here? */
    private boolean startsParameter() {
        int i = pos;
        while (i < value.length() && isTchar(value.charAt(i))) {
            i++;
        }
        if (i == pos) {
            return false;
        }
        while (i < value.length() && isWhitespace(value.charAt(i))) {
            i++;
        }
        return i < value.length() && value.charAt(i) == '=';
    }

    private String token(String expected) {
        int start = pos;
        while (pos < value.length() && isTchar(value.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expected " + expected);
        }
        return value.substring(start, pos);
    }

    /** quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4). */
    private String quotedString() {
        pos++; // DQUOTE
        StringBuilder out = new StringBuilder();
        while (!atEnd()) {
            char c = value.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                if (atEnd()) {
                    break;
                }
                c = value.charAt(pos++);
            }
            if (!isQuotable(c)) {
                pos--;
                throw error("character not allowed in a quoted-string");
            }
            out.append(c);
        }
        throw error("unterminated quoted-string");
    }

    /** Skips OWS and commas; returns whether an element follows. */
    private boolean skipEmptyElements() {
        while (!atEnd() && (isWhitespace(peek()) || peek() == ',')) {
            pos++;
        }
        return !atEnd();
    }

    private void skipWhitespace() {
        while (!atEnd() && isWhitespace(peek())) {
            pos++;
        }
    }

    private void expect(char c) {
        if (atEnd() || peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private boolean atEnd() {
        return pos >= value.length();
    }

    private char peek() {
        return value.charAt(pos);
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /** tchar (RFC 9110 §5.6.2). */
    private static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isToken68Char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~+/".indexOf(c) >= 0;
    }

    /** HTAB, SP, VCHAR or obs-text: what qdtext and quoted-pair allow (RFC 9110 §5.6.4). */
    private static boolean isQuotable(char c) {
        return c == '\t' || (c >= 0x20 && c != 0x7F && c <= 0xFF);
    }

    private MalformedTokenException error(String problem) {
        return new MalformedTokenException(field + ": " + problem + " at offset " + pos);
    }
}
