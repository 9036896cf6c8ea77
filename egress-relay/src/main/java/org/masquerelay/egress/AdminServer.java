package org.masquerelay.egress;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The egress's admin listener: {@code GET /healthz} (200, or 503 while draining so a load
 * balancer stops sending new clients), {@code GET /metrics} (Prometheus text format 0.0.4) and,
 * with geo routing, {@code GET /egress-ranges.csv} (RFC 8805 geofeed, conditional GETs answered
 * 304).
 * It is the JDK's built-in server: two read-only endpoints need no framework.
 */
final class AdminServer implements AutoCloseable {
    private final HttpServer server;

    AdminServer(InetSocketAddress address, Supplier<String> metrics, BooleanSupplier draining, EgressRanges ranges)
            throws IOException {
        server = HttpServer.create(address, 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "egress-admin");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/healthz", ex -> {
            if (draining.getAsBoolean()) {
                send(ex, 503, "text/plain", "draining\n");
            } else {
                send(ex, 200, "text/plain", "ok\n");
            }
        });
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.get()));
        if (ranges != null) {
            server.createContext(EgressRanges.PATH, ex -> sendRanges(ex, ranges));
        }
        server.createContext("/", ex -> send(ex, 404, "text/plain", "not found\n"));
        server.start();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                status = 405;
                body = "method not allowed\n";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : b.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            }
        }
    }

    private static void sendRanges(HttpExchange ex, EgressRanges ranges) throws IOException {
        if (!EgressRanges.PATH.equals(ex.getRequestURI().getPath())) {
            send(ex, 404, "text/plain", "not found\n");
            return;
        }
        String method = ex.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            send(ex, 405, "text/plain", "method not allowed\n");
            return;
        }
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", EgressRanges.CONTENT_TYPE);
            ex.getResponseHeaders().set("ETag", ranges.etag());
            ex.getResponseHeaders().set("Last-Modified", ranges.lastModifiedHttpDate());
            ex.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
            if (ranges.notModified(ex.getRequestHeaders().getFirst("If-None-Match"),
                    ex.getRequestHeaders().getFirst("If-Modified-Since"))) {
                ex.sendResponseHeaders(304, -1);
                return;
            }
            boolean head = "HEAD".equals(method);
            ex.sendResponseHeaders(200, head ? -1 : ranges.body().length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(ranges.body());
                }
            }
        }
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
