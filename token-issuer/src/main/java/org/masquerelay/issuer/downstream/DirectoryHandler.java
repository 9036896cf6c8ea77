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
package org.masquerelay.issuer.downstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.masquerelay.protocol.token.IssuanceHttp;
import org.masquerelay.protocol.token.IssuerDirectory;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.TokenKey;
import org.masquerelay.server.HttpResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /.well-known/private-token-issuer-directory} (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-4">RFC 9578 §4</a>): the issuer's one token
 * key of type 0x0002 and its Issuer Request URL, as JSON of media type {@code
 * application/private-token-issuer-directory}.
 *
 * <p>The key changes only when the issuer restarts with another signing key, so the directory is
 * cacheable for {@link #MAX_AGE}, the lifetime RFC 9578 §4 gives as its example; clients that see
 * issuance fail fetch it again (§4), which is how they learn of a new key sooner. The body is
 * built once; the handler is stateless and runs on any server thread.
 */
public final class DirectoryHandler implements HttpHandler {
    /** How long clients and caches may keep the directory. */
    public static final Duration MAX_AGE = Duration.ofDays(1);

    private static final Logger log = LoggerFactory.getLogger(DirectoryHandler.class);

    private final byte[] body;

    public DirectoryHandler(TokenKey tokenKey) {
        IssuerDirectory directory = new IssuerDirectory(
                IssuanceHttp.REQUEST_PATH,
                List.of(new IssuerDirectory.TokenKeyEntry(
                        PublicTokenIssuance.TOKEN_TYPE, tokenKey.encode(), OptionalLong.empty())));
        this.body = directory.toJson().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            if (!HttpResponses.pathIs(exchange, IssuanceHttp.DIRECTORY_PATH)) {
                HttpResponses.sendError(exchange, 404, "not found");
            } else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                HttpResponses.sendMethodNotAllowed(exchange, "GET, HEAD");
            } else {
                exchange.getResponseHeaders().set("Cache-Control", "max-age=" + MAX_AGE.toSeconds());
                HttpResponses.send(exchange, 200, IssuanceHttp.DIRECTORY_MEDIA_TYPE, body);
            }
        } catch (IOException e) {
            log.debug("issuer directory: exchange failed: {}", e.toString());
        }
    }
}
