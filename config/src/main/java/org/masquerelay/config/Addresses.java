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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Address syntax shared by every config file. */
public final class Addresses {
    private Addresses() {}

    /**
     * Parses {@code ip:port} or {@code [v6]:port}. Names are refused so that startup never waits
     * on DNS and a config means the same thing on every host.
     */
    public static InetSocketAddress socketAddress(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("missing port");
        }
        String host = s.substring(0, colon);
        String portText = s.substring(colon + 1);
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
            throw new IllegalArgumentException("IPv6 addresses need brackets, as in [::1]:443");
        }
        if (portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port " + portText + " is not a number");
        }
        int port = Integer.parseInt(portText);
        if (port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 0-65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(IpPrefix.parseLiteral(host)), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A numeric IP literal, never resolved. */
    public static InetAddress address(String text) {
        try {
            return InetAddress.getByAddress(IpPrefix.parseLiteral(text.trim()));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
