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
package org.masquerelay.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Writing responses and reading request fields on the JDK's {@code com.sun.net.httpserver}, for
 * the admin listeners and the token issuer: one writer, so every one of them answers HEAD, 405
 * and errors the same way.
 */
public final class HttpResponses {
    private HttpResponses() {}

    /** Sends {@code body} with {@code status}; a HEAD request gets the headers only. */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Sends UTF-8 {@code body} with {@code status}. */
    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends a one-line plain-text error. The message is ours: it may state sizes and the expected
     * form, never bytes the client sent (docs/architecture.md §3: errors never echo the peer).
     */
    public static void sendError(HttpExchange exchange, int status, String message) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, status, "text/plain; charset=utf-8", message + "\n");
    }

    /** 405 with the methods the resource allows (RFC 9110 §15.5.6). */
    public static void sendMethodNotAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        sendError(exchange, 405, "method not allowed (expected: " + allow + ")");
    }

    /** Whether the request is a GET or a HEAD, the only methods a read-only resource takes. */
    public static boolean isGetOrHead(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        return "GET".equals(method) || "HEAD".equals(method);
    }

    /** Whether the request's path is exactly {@code path}: contexts match prefixes. */
    public static boolean pathIs(HttpExchange exchange, String path) {
        return path.equals(exchange.getRequestURI().getRawPath());
    }

    /** Whether a Content-Type value names {@code mediaType}, parameters ignored (RFC 9110 §8.3.1). */
    public static boolean isMediaType(String contentType, String mediaType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.toLowerCase(Locale.ROOT).equals(mediaType);
    }
}
