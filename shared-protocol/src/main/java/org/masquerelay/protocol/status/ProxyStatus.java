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
package org.masquerelay.protocol.status;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.sfv.StructuredFieldParser;

/**
 * One member of a Proxy-Status field, <a
 * href="https://www.rfc-editor.org/rfc/rfc9209#section-2">RFC 9209 §2</a>: the name of the
 * intermediary plus its {@code error} (<a
 * href="https://www.rfc-editor.org/rfc/rfc9209#section-2.1.1">§2.1.1</a>) and {@code details} (<a
 * href="https://www.rfc-editor.org/rfc/rfc9209#section-2.1.5">§2.1.5</a>) parameters, for example
 * {@code egress; error=dns_error; details="no such host"}.
 *
 * <p>The error is kept as its raw token so that tokens this code does not know survive a parse;
 * {@link #error()} maps it to {@link ProxyErrorType}.
 *
 * @param proxyName the intermediary, serialized as an sf-token when it is one, else an sf-string
 * @param errorToken the {@code error} parameter, an RFC 8941 token, or {@code null} if absent
 * @param details the {@code details} parameter, or {@code null} if absent
 */
public record ProxyStatus(
        String proxyName,
        @Nullable String errorToken,
        @Nullable String details) {

    private static final String NAME = "proxy-status";

    /** Longest {@code details} value written; longer text is cut so errors stay small. */
    static final int MAX_DETAILS_LENGTH = 256;

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if {@code proxyName} is empty or {@code errorToken} is not an
     *     RFC 8941 token
     */
    public ProxyStatus {
        Objects.requireNonNull(proxyName, "proxyName");
        if (proxyName.isEmpty()) {
            throw new IllegalArgumentException("proxyName is empty");
        }
        if (errorToken != null && !StructuredFieldParser.isToken(errorToken)) {
            throw new IllegalArgumentException("errorToken: " + errorToken + " (expected: an RFC 8941 token)");
        }
    }

    /**
     * Creates a member for a known error type.
     *
     * @param error the error, or {@code null} for a member without an {@code error} parameter
     * @param details free text, or {@code null}
     */
    public static ProxyStatus of(String proxyName, @Nullable ProxyErrorType error, @Nullable String details) {
        return new ProxyStatus(proxyName, error == null ? null : error.token(), details);
    }

    /** Returns the error type, or empty if there is no error or its token is not listed there. */
    public Optional<ProxyErrorType> error() {
        return ProxyErrorType.fromToken(errorToken);
    }

    /**
     * Serializes this member (RFC 8941 §4.1.1). Parameters are separated by {@code "; "}, the form
     * of docs/architecture.md §3 and the RFC 9209 examples, which RFC 8941 §4.2.3.2 parsers accept. Inside
     * sf-strings, {@code "} and {@code \} are escaped and any character outside printable ASCII
     * becomes {@code ?}; {@code details} is cut to {@value #MAX_DETAILS_LENGTH} characters.
     */
    public String toHeaderValue() {
        StringBuilder sb = new StringBuilder(64);
        if (StructuredFieldParser.isToken(proxyName)) {
            sb.append(proxyName);
        } else {
            appendString(sb, proxyName, Integer.MAX_VALUE);
        }
        if (errorToken != null) {
            sb.append("; error=").append(errorToken);
        }
        if (details != null) {
            sb.append("; details=");
            appendString(sb, details, MAX_DETAILS_LENGTH);
        }
        return sb.toString();
    }

    /**
     * Parses a whole Proxy-Status field value, an RFC 8941 List (§4.2.1), in order: RFC 9209 §2 has
     * each intermediary append its member, so the first is the one closest to the origin and the
     * last the one closest to the client. Unknown parameters are ignored; an empty value gives an
     * empty list.
     *
     * @throws MalformedProxyStatusException if the value is not a valid List of token or string
     *     Items, or {@code error} is not a token, or {@code details} is not a string
     */
    public static List<ProxyStatus> parseList(String headerValue) {
        Objects.requireNonNull(headerValue, "headerValue");
        return new StructuredFieldParser(NAME, headerValue, MalformedProxyStatusException::new)
                .parseList(ProxyStatus::parseMember);
    }

    /** RFC 8941 §4.2.3 item, restricted to RFC 9209 §2 members. */
    private static ProxyStatus parseMember(StructuredFieldParser parser) {
        char c = parser.peek();
        String name;
        if (c == '"') {
            name = parser.parseString();
            if (name.isEmpty()) {
                throw parser.fail("proxy name is empty");
            }
        } else if (StructuredFieldParser.isTokenStart(c)) {
            name = parser.parseToken();
        } else if (c == '(') {
            throw parser.fail("inner lists are not allowed in " + NAME);
        } else {
            throw parser.fail("list member must be a token or string");
        }
        String[] errorAndDetails = new String[2];
        // RFC 8941 §4.2.3.2: a repeated key overwrites the earlier value. Other parameters are
        // validated by the parser and then dropped.
        parser.parseParameters((key, value) -> {
            if (key.equals("error")) {
                if (!(value instanceof StructuredFieldParser.Token token)) {
                    throw parser.fail("error parameter must be a token (RFC 9209 §2.1.1)");
                }
                errorAndDetails[0] = token.value();
            } else if (key.equals("details")) {
                if (!(value instanceof String text)) {
                    throw parser.fail("details parameter must be a string (RFC 9209 §2.1.5)");
                }
                errorAndDetails[1] = text;
            }
        });
        return new ProxyStatus(name, errorAndDetails[0], errorAndDetails[1]);
    }

    /**
     * Parses a Proxy-Status field value and returns its last member, the one added by the
     * intermediary closest to the reader.
     *
     * @throws MalformedProxyStatusException if the value is malformed or empty
     */
    public static ProxyStatus parse(String headerValue) {
        List<ProxyStatus> members = parseList(headerValue);
        if (members.isEmpty()) {
            throw new MalformedProxyStatusException("proxy-status is empty");
        }
        return members.get(members.size() - 1);
    }

    /** Appends an sf-string (RFC 8941 §4.1.6) of at most {@code maxChars} code points. */
    private static void appendString(StringBuilder sb, String value, int maxChars) {
        sb.append('"');
        int written = 0;
        for (int i = 0; i < value.length() && written < maxChars; written++) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '"' || cp == '\\') {
                sb.append('\\').append((char) cp);
            } else if (cp >= 0x20 && cp <= 0x7E) {
                sb.append((char) cp);
            } else {
                sb.append('?');
            }
        }
        sb.append('"');
    }
}
