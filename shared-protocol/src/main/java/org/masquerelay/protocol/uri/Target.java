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

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The one target record of the project, {@code host:port}: the {@code :authority} of an HTTP/3
 * CONNECT request (<a href="https://www.rfc-editor.org/rfc/rfc9114#section-4.4">RFC 9114
 * §4.4</a>, <a href="https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6">RFC 9110 §9.3.6</a>)
 * for a TCP flow, or the {@code target_host} and {@code target_port} template variables of a
 * connect-udp request (<a href="https://www.rfc-editor.org/rfc/rfc9298#section-3.1">RFC 9298
 * §3.1</a>) for a UDP flow.
 *
 * <p>The constructor validates and canonicalizes {@code host}: a lower-case DNS name, a dotted
 * IPv4 literal, or an RFC 5952 IPv6 literal kept without brackets (a bracketed one is accepted
 * and unwrapped).
 *
 * @param host DNS name or IP literal, without brackets
 * @param port 1-65535
 */
public record Target(String host, int port) {

    /**
     * Validates and canonicalizes.
     *
     * @throws MalformedTargetException if the host or port is invalid
     */
    public Target {
        host = HostSyntax.canonicalize(host);
        HostSyntax.checkPort(port);
    }

    /**
     * Parses {@code host:port}, {@code 1.2.3.4:80} or {@code [2001:db8::1]:443}. The port is
     * mandatory (CONNECT has no default port); userinfo, whitespace and unbracketed IPv6 are
     * rejected.
     *
     * @throws MalformedTargetException if {@code authority} is malformed
     */
    public static Target parse(String authority) {
        if (authority == null || authority.isEmpty()) {
            throw new MalformedTargetException("authority is empty");
        }
        for (int i = 0; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new MalformedTargetException("authority contains whitespace or a control or non-ASCII character "
                        + HostSyntax.describe(c)
                        + " at offset "
                        + i);
            }
        }
        if (authority.indexOf('@') >= 0) {
            throw new MalformedTargetException("authority must not contain userinfo ('@')");
        }
        String host;
        String port;
        if (authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new MalformedTargetException("authority has an unclosed '['");
            }
            host = authority.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw new MalformedTargetException("brackets in an authority must hold an IPv6 address");
            }
            String rest = authority.substring(close + 1);
            if (rest.isEmpty()) {
                throw new MalformedTargetException("authority is missing a port");
            }
            if (rest.charAt(0) != ':') {
                throw new MalformedTargetException("authority has characters between ']' and ':'");
            }
            port = rest.substring(1);
        } else {
            if (authority.indexOf('[') >= 0 || authority.indexOf(']') >= 0) {
                throw new MalformedTargetException("authority has a misplaced '[' or ']'");
            }
            int colon = authority.lastIndexOf(':');
            if (colon < 0) {
                throw new MalformedTargetException("authority is missing a port");
            }
            host = authority.substring(0, colon);
            port = authority.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new MalformedTargetException("IPv6 address in an authority must be in brackets");
            }
        }
        if (host.isEmpty()) {
            throw new MalformedTargetException("authority host is empty");
        }
        if (port.isEmpty()) {
            throw new MalformedTargetException("authority is missing a port");
        }
        return new Target(host, HostSyntax.parsePort(port));
    }

    /** Returns whether {@link #host()} is an IPv4 or IPv6 literal rather than a DNS name. */
    public boolean isIpLiteral() {
        return HostSyntax.isIpLiteral(host);
    }

    /**
     * The address of an IP-literal host, parsed by {@link HostSyntax#parseIpLiteral}, or empty for
     * a DNS name. Never consults DNS.
     */
    public Optional<InetAddress> ipLiteral() {
        byte[] b = isIpLiteral() ? HostSyntax.parseIpLiteral(host) : null;
        if (b == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e);
        }
    }

    /** Returns {@code host:port}, or {@code [v6]:port} for an IPv6 literal (RFC 3986 §3.2). */
    public String authority() {
        return HostSyntax.isIpv6(host) ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** Returns {@link #authority()}. */
    @Override
    public String toString() {
        return authority();
    }
}
