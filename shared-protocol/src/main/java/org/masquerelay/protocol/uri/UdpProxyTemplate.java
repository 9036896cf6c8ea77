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
package org.masquerelay.protocol.uri;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A connect-udp URI template, <a href="https://www.rfc-editor.org/rfc/rfc9298#section-2">RFC 9298
 * §2</a>, such as {@value #DEFAULT_PATH}.
 *
 * <p>Supported is the subset every deployment uses: <a
 * href="https://www.rfc-editor.org/rfc/rfc6570#section-3.2.2">RFC 6570 §3.2.2</a> simple
 * expressions {@code {target_host}} and {@code {target_port}}, each exactly once, in the path or
 * query. Operators ({@code {?target_host,target_port}}), modifiers and other variables are
 * rejected at parse time rather than half-supported. So that {@link #match} is unambiguous, a
 * variable must be followed either by the end of the template or by a literal that starts with a
 * character an expanded value never contains (anything but an unreserved character or {@code %},
 * for example {@code /} or {@code &}).
 *
 * <p>A template is an absolute {@code https} URI or just a path (with optional query) starting
 * with {@code /}; only the path and query take part in {@link #expandPath} and {@link #match}.
 * Instances are immutable and thread-safe.
 */
public final class UdpProxyTemplate {

    /** The well-known template of RFC 9298 §2 and docs/architecture.md §3. */
    public static final String DEFAULT_PATH = "/.well-known/masque/udp/{target_host}/{target_port}/";

    private static final String TARGET_HOST = "target_host";
    private static final String TARGET_PORT = "target_port";
    private static final UdpProxyTemplate DEFAULT = parse(DEFAULT_PATH);

    private final String template;
    private final @Nullable String authority;
    /** Literal path/query text around the variables; one more entry than {@link #variables}. */
    private final List<String> literals;

    private final List<String> variables;

    private UdpProxyTemplate(
            String template, @Nullable String authority, List<String> literals, List<String> variables) {
        this.template = template;
        this.authority = authority;
        this.literals = List.copyOf(literals);
        this.variables = List.copyOf(variables);
    }

    /** Returns the template for {@value #DEFAULT_PATH}. */
    public static UdpProxyTemplate defaultTemplate() {
        return DEFAULT;
    }

    /**
     * Parses a template.
     *
     * @throws InvalidTemplateException if it is not a supported RFC 9298 §2 template
     */
    public static UdpProxyTemplate parse(String template) {
        if (template == null || template.isEmpty()) {
            throw new InvalidTemplateException("template is empty");
        }
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            // RFC 9298 §2: only 0x21-0x7E; RFC 6570 §2.1 also excludes these from literals.
            if (c < 0x21 || c > 0x7E || "\"'<>\\^`|".indexOf(c) >= 0) {
                throw new InvalidTemplateException(
                        "template contains invalid character " + HostSyntax.describe(c) + " at offset " + i);
            }
        }
        String authority = null;
        int pathStart;
        if (template.charAt(0) == '/') {
            pathStart = 0;
        } else {
            int schemeEnd = template.indexOf("://");
            if (schemeEnd < 0) {
                throw new InvalidTemplateException(
                        "template must be an absolute https URI or a path starting with '/'");
            }
            String scheme = template.substring(0, schemeEnd);
            if (!scheme.toLowerCase(Locale.ROOT).equals("https")) {
                throw new InvalidTemplateException("template scheme must be https (RFC 9298 §2), not " + scheme);
            }
            int authorityStart = schemeEnd + 3;
            pathStart = template.indexOf('/', authorityStart);
            int authorityEnd = pathStart < 0 ? template.length() : pathStart;
            authority = template.substring(authorityStart, authorityEnd);
            if (authority.indexOf('{') >= 0 || authority.indexOf('}') >= 0) {
                throw new InvalidTemplateException(
                        "template variables must be in the path or query, not the authority (RFC 9298 §2)");
            }
            if (authority.isEmpty() || authority.indexOf('?') >= 0 || authority.indexOf('#') >= 0) {
                throw new InvalidTemplateException("template must have a non-empty authority and a path");
            }
            if (authority.indexOf('@') >= 0) {
                throw new InvalidTemplateException("template authority must not contain userinfo");
            }
            if (pathStart < 0) {
                throw new InvalidTemplateException("template must have a path starting with '/'");
            }
        }
        List<String> literals = new ArrayList<>();
        List<String> variables = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = pathStart; i < template.length(); i++) {
            char c = template.charAt(i);
            switch (c) {
                case '{' -> {
                    int close = template.indexOf('}', i + 1);
                    if (close < 0) {
                        throw new InvalidTemplateException("unclosed '{' at offset " + i);
                    }
                    String expression = template.substring(i + 1, close);
                    if (expression.indexOf('{') >= 0) {
                        throw new InvalidTemplateException("unclosed '{' at offset " + i);
                    }
                    String variable = variableName(expression, i);
                    if (variables.contains(variable)) {
                        throw new InvalidTemplateException(
                                "variable {" + variable + "} appears more than once (RFC 9298 §2)");
                    }
                    if (!variables.isEmpty() && literal.length() == 0) {
                        throw new InvalidTemplateException(
                                "variables at offset " + i + " must be separated by a literal");
                    }
                    literals.add(literal.toString());
                    literal.setLength(0);
                    variables.add(variable);
                    i = close;
                }
                case '}' -> throw new InvalidTemplateException("unmatched '}' at offset " + i);
                case '#' ->
                    throw new InvalidTemplateException(
                            "template must not contain a fragment ('#' at offset " + i + ")");
                case '%' -> {
                    if (i + 2 >= template.length()
                            || PercentEncoding.hexValue(template.charAt(i + 1)) < 0
                            || PercentEncoding.hexValue(template.charAt(i + 2)) < 0) {
                        throw new InvalidTemplateException("invalid percent-encoding at offset " + i);
                    }
                    literal.append(template, i, i + 3);
                    i += 2;
                }
                default -> literal.append(c);
            }
        }
        literals.add(literal.toString());
        for (String required : List.of(TARGET_HOST, TARGET_PORT)) {
            if (!variables.contains(required)) {
                throw new InvalidTemplateException("template must contain {" + required + "} (RFC 9298 §2)");
            }
        }
        for (int v = 0; v < variables.size(); v++) {
            String next = literals.get(v + 1);
            if (!next.isEmpty() && (PercentEncoding.isUnreserved(next.charAt(0)) || next.charAt(0) == '%')) {
                throw new InvalidTemplateException("variable {"
                        + variables.get(v)
                        + "} must be followed by a delimiter such as '/' or '&', not "
                        + HostSyntax.describe(next.charAt(0)));
            }
        }
        return new UdpProxyTemplate(template, authority, literals, variables);
    }

    private static String variableName(String expression, int offset) {
        if (expression.isEmpty()) {
            throw new InvalidTemplateException("empty expression at offset " + offset);
        }
        char first = expression.charAt(0);
        if ("+#./;?&=,!@|".indexOf(first) >= 0) {
            throw new InvalidTemplateException("operator '"
                    + first
                    + "' at offset "
                    + offset
                    + " is not supported (only {var}, RFC 6570 level 1)");
        }
        if (expression.indexOf(',') >= 0) {
            throw new InvalidTemplateException(
                    "expression at offset " + offset + " lists several variables (only {var} is supported)");
        }
        if (expression.indexOf(':') >= 0 || expression.endsWith("*")) {
            throw new InvalidTemplateException(
                    "modifier at offset " + offset + " is not supported (only {var}, RFC 6570 level 1)");
        }
        if (!expression.equals(TARGET_HOST) && !expression.equals(TARGET_PORT)) {
            throw new InvalidTemplateException(
                    "unknown variable {" + expression + "} (expected: target_host, target_port)");
        }
        return expression;
    }

    /**
     * Returns the authority of an absolute template, for example {@code relay.example:443}; empty
     * for a path-only template.
     */
    public Optional<String> authority() {
        return Optional.ofNullable(authority);
    }

    /**
     * Expands the path and query for a target, for a request's {@code :path}. Values are encoded as
     * RFC 6570 simple expansion does; an IPv6 literal is written without brackets and with its
     * colons percent-encoded (RFC 9298 §3.1), so {@code 2001:db8::1} becomes {@code
     * 2001%3Adb8%3A%3A1}. The host is canonicalized first (see {@link Target}).
     *
     * @throws MalformedTargetException if the host or port is invalid
     */
    public String expandPath(String host, int port) {
        Target target = new Target(host, port);
        StringBuilder sb = new StringBuilder(template.length() + 64);
        for (int v = 0; v < variables.size(); v++) {
            sb.append(literals.get(v));
            sb.append(
                    variables.get(v).equals(TARGET_HOST)
                            ? PercentEncoding.encode(target.host())
                            : Integer.toString(target.port()));
        }
        return sb.append(literals.get(variables.size())).toString();
    }

    /**
     * Matches a request's {@code :path} (path and query) against this template.
     *
     * @return the target, or empty if the literal parts of the template do not match
     * @throws MalformedTargetException if the path matches but the host or port is invalid,
     *     including bad percent-encoding
     */
    public Optional<Target> match(String pathAndQuery) {
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        String first = literals.get(0);
        if (!pathAndQuery.startsWith(first)) {
            return Optional.empty();
        }
        int pos = first.length();
        String rawHost = null;
        String rawPort = null;
        for (int v = 0; v < variables.size(); v++) {
            String next = literals.get(v + 1);
            int end = next.isEmpty() ? pathAndQuery.length() : pathAndQuery.indexOf(next, pos);
            if (end < 0) {
                return Optional.empty();
            }
            String raw = pathAndQuery.substring(pos, end);
            if (variables.get(v).equals(TARGET_HOST)) {
                rawHost = raw;
            } else {
                rawPort = raw;
            }
            pos = end + next.length();
        }
        if (pos != pathAndQuery.length()) {
            return Optional.empty();
        }
        // parse() requires both variables, so both were matched.
        String host = PercentEncoding.decode(Objects.requireNonNull(rawHost), "target host");
        if (host.isEmpty()) {
            throw new MalformedTargetException("target host is empty");
        }
        int port = HostSyntax.parsePort(PercentEncoding.decode(Objects.requireNonNull(rawPort), "target port"));
        return Optional.of(new Target(host, port));
    }

    /** Returns the template as parsed. */
    @Override
    public String toString() {
        return template;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpProxyTemplate other && template.equals(other.template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }
}
