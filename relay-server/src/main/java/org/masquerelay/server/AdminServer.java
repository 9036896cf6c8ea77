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
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A relay's admin listener: {@code GET /healthz} (200, or 503 while draining so a load balancer
 * stops sending new clients), {@code GET /metrics} (Prometheus text format 0.0.4), and the routes
 * a relay adds, such as the egress's {@code /egress-ranges.csv}. Everything else is 404, and any
 * method but GET and HEAD on the built-in endpoints is 405.
 *
 * <p>It is the JDK's built-in server on one daemon thread: a few read-only endpoints need no
 * framework, and the admin listener never shares a thread with the data path.
 */
public final class AdminServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * Binds and starts serving.
     *
     * @param name names the thread, for example {@code ingress-admin}
     * @param routes extra exact-path routes; a route's handler sees every method
     * @throws IOException if {@code address} cannot be bound
     */
    public AdminServer(
            String name,
            InetSocketAddress address,
            Supplier<String> metrics,
            BooleanSupplier draining,
            Supplier<String> healthDetail,
            Map<String, HttpHandler> routes)
            throws IOException {
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw BindFailure.of(name + " listener", "TCP", address, e);
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(
                "/healthz",
                ex -> readOnly(
                        ex,
                        "/healthz",
                        () -> draining.getAsBoolean()
                                ? new Body(503, "text/plain", "draining\n" + healthDetail.get())
                                : new Body(200, "text/plain", "ok\n" + healthDetail.get())));
        server.createContext(
                "/metrics",
                ex -> readOnly(
                        ex,
                        "/metrics",
                        () -> new Body(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get())));
        routes.forEach((path, handler) -> server.createContext(path, ex -> {
            if (HttpResponses.pathIs(ex, path)) {
                handler.handle(ex);
            } else {
                notFound(ex);
            }
        }));
        server.createContext("/", AdminServer::notFound);
        server.start();
    }

    private record Body(int status, String type, String text) {}

    private static void readOnly(HttpExchange ex, String path, Supplier<Body> body) throws IOException {
        try (ex) {
            if (!HttpResponses.pathIs(ex, path)) {
                HttpResponses.send(ex, 404, "text/plain", "not found\n");
            } else if (!HttpResponses.isGetOrHead(ex)) {
                HttpResponses.send(ex, 405, "text/plain", "method not allowed\n");
            } else {
                Body b = body.get();
                HttpResponses.send(ex, b.status(), b.type(), b.text());
            }
        }
    }

    private static void notFound(HttpExchange ex) throws IOException {
        try (ex) {
            HttpResponses.send(ex, 404, "text/plain", "not found\n");
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
