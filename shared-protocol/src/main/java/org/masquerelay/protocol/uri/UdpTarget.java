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

/**
 * The target of a connect-udp request: the {@code target_host} and {@code target_port} template
 * variables of <a href="https://www.rfc-editor.org/rfc/rfc9298#section-3.1">RFC 9298 §3.1</a>.
 *
 * <p>The constructor validates and canonicalizes (see the {@linkplain
 * org.masquerelay.protocol.uri package notes}): {@code host} is a lower-case DNS name, a dotted
 * IPv4 literal, or an RFC 5952 IPv6 literal without brackets (a bracketed one is accepted and
 * unwrapped).
 *
 * @param host DNS name or IP literal
 * @param port 1-65535
 */
public record UdpTarget(String host, int port) {

    /**
     * Validates and canonicalizes.
     *
     * @throws MalformedTargetException if the host or port is invalid
     */
    public UdpTarget {
        host = HostSyntax.canonicalize(host);
        HostSyntax.checkPort(port);
    }

    /** Returns whether {@link #host()} is an IPv4 or IPv6 literal rather than a DNS name. */
    public boolean isIpLiteral() {
        return HostSyntax.isIpLiteral(host);
    }

    /** Returns {@code host:port}, or {@code [v6]:port} for an IPv6 literal (RFC 3986 §3.2). */
    public String authority() {
        return HostSyntax.isIpv6(host) ? "[" + host + "]:" + port : host + ":" + port;
    }
}
