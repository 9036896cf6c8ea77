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
package org.masquerelay.egress;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.server.HttpResponses;

/**
 * The published egress-range geofeed (RFC 8805), generated from the same pool file the egress
 * routes with, never kept by hand. Sites poll it: the {@code ETag} is a hash of the body and
 * {@code Last-Modified} the pool file's modification time, so a conditional GET is answered 304
 * (RFC 9110 §13.1.1, §13.1.3).
 *
 * @param body the CSV, byte-identical to {@code masque pool export-csv}
 * @param etag a strong entity tag (RFC 9110 §8.8.3)
 * @param lastModified whole seconds (HTTP dates carry no fraction)
 */
record EgressRanges(byte[] body, String etag, Instant lastModified) {
    static final String PATH = "/egress-ranges.csv";
    static final String CONTENT_TYPE = "text/csv; charset=utf-8";

    static EgressRanges of(PoolRegistry pool, Path poolFile) throws IOException {
        byte[] body = pool.geofeedCsv().getBytes(StandardCharsets.UTF_8);
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
        String etag = "\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"";
        Instant modified = Files.getLastModifiedTime(poolFile).toInstant().truncatedTo(ChronoUnit.SECONDS);
        return new EgressRanges(body, etag, modified);
    }

    /**
     * RFC 9110 §5.6.7 IMF-fixdate, {@code Sun, 06 Nov 1994 08:49:37 GMT}: a two-digit day, where
     * {@link DateTimeFormatter#RFC_1123_DATE_TIME} writes {@code 6 Nov}.
     */
    static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    String lastModifiedHttpDate() {
        return IMF_FIXDATE.format(lastModified);
    }

    /**
     * True when a GET with these conditional fields need not send the body: If-None-Match wins
     * over If-Modified-Since (RFC 9110 §13.2.2).
     */
    boolean notModified(String ifNoneMatch, String ifModifiedSince) {
        if (ifNoneMatch != null) {
            for (String tag : ifNoneMatch.split(",")) {
                String t = tag.trim();
                if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                    return true;
                }
            }
            return false;
        }
        if (ifModifiedSince != null) {
            try {
                Instant since = DateTimeFormatter.RFC_1123_DATE_TIME.parse(ifModifiedSince.trim(), Instant::from);
                return !lastModified.isAfter(since);
            } catch (java.time.format.DateTimeParseException e) {
                return false; // RFC 9110 §13.1.3: an invalid date is ignored
            }
        }
        return false;
    }

    /**
     * Serves {@code GET} and {@code HEAD} of the feed on the admin listener, with the validators a
     * polling site needs and 304 for a conditional request that matches.
     */
    void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!HttpResponses.isGetOrHead(ex)) {
                HttpResponses.send(ex, 405, "text/plain", "method not allowed\n");
                return;
            }
            ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            ex.getResponseHeaders().set("ETag", etag);
            ex.getResponseHeaders().set("Last-Modified", lastModifiedHttpDate());
            ex.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
            if (notModified(
                    ex.getRequestHeaders().getFirst("If-None-Match"),
                    ex.getRequestHeaders().getFirst("If-Modified-Since"))) {
                ex.sendResponseHeaders(304, -1);
                return;
            }
            HttpResponses.send(ex, 200, CONTENT_TYPE, body);
        }
    }
}
