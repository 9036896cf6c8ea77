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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.issuer.policy.AccountLimiter;
import org.masquerelay.issuer.policy.ApiKeys;
import org.masquerelay.issuer.policy.LimitExceededException;
import org.masquerelay.protocol.token.BlindRsaException;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.IssuanceHttp;
import org.masquerelay.protocol.token.MalformedTokenException;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.TokenKey;
import org.masquerelay.protocol.token.TokenRequest;
import org.masquerelay.protocol.token.TokenResponse;
import org.masquerelay.server.HttpResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /token-request}: one TokenRequest in, one TokenResponse out (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.1">RFC 9578 §6.1</a>, <a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.2">§6.2</a>). The protocol has one request
 * per HTTP request; a client wanting a batch sends several, in parallel or in turn.
 *
 * <p>Checks run in this order, the first failure answering:
 *
 * <ol>
 *   <li>method POST, else 405;
 *   <li>{@code Authorization: Bearer <api key>} of a known account (RFC 6750 §2.1), else 401 with
 *       {@code WWW-Authenticate: Bearer} (RFC 6750 §3), {@code error="invalid_token"} when a key
 *       was given;
 *   <li>{@code Content-Type: application/private-token-request}, else 415;
 *   <li>a body of at most {@link TokenRequest#LENGTH} bytes, else 413;
 *   <li>a TokenRequest of type 0x0002 with the right size and the truncated id of our key, else
 *       422, as RFC 9578 §6.2 requires ("MUST return an HTTP 422 (Unprocessable Content)");
 *   <li>the account's limits, else 429 with {@code Retry-After} in seconds;
 *   <li>BlindSign (RFC 9474 §4.3): 200 with the TokenResponse, or 500 if signing fails.
 * </ol>
 *
 * <p>Privacy (docs/architecture.md §2): the issuer learns the account and a blinded message, which RFC 9474
 * blinding makes independent of the token the client will later spend. Nothing here logs a
 * request body, a response body or an API key; DEBUG lines name the account and the outcome.
 *
 * <p>Stateless apart from the thread-safe {@link AccountLimiter}; runs on any server thread.
 */
public final class TokenRequestHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(TokenRequestHandler.class);

    private final String realm;
    private final BlindRsaPrivateKey signingKey;
    private final int truncatedTokenKeyId;
    private final ApiKeys apiKeys;
    private final AccountLimiter limiter;

    /**
     * Creates the handler.
     *
     * @param realm the {@code realm} of our Bearer challenges: the issuer name
     * @param signingKey the issuer's private key skI
     */
    public TokenRequestHandler(String realm, BlindRsaPrivateKey signingKey, ApiKeys apiKeys, AccountLimiter limiter) {
        this.realm = realm;
        this.signingKey = signingKey;
        this.truncatedTokenKeyId = TokenKey.of(signingKey.publicKey()).truncatedTokenKeyId();
        this.apiKeys = apiKeys;
        this.limiter = limiter;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            respond(exchange);
        } catch (IOException e) {
            log.debug("token request: exchange failed: {}", e.toString());
        }
    }

    private void respond(HttpExchange exchange) throws IOException {
        if (!HttpResponses.pathIs(exchange, IssuanceHttp.REQUEST_PATH)) {
            HttpResponses.sendError(exchange, 404, "not found");
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            HttpResponses.sendMethodNotAllowed(exchange, "POST");
            return;
        }
        List<String> authorization = exchange.getRequestHeaders().get("Authorization");
        Optional<String> account = authenticate(authorization);
        if (account.isEmpty()) {
            // RFC 6750 §3.1: no error code when the request carried no credentials at all.
            boolean presented = authorization != null && !authorization.isEmpty();
            exchange.getResponseHeaders()
                    .set(
                            "WWW-Authenticate",
                            "Bearer realm=\"" + realm + "\"" + (presented ? ", error=\"invalid_token\"" : ""));
            log.debug(
                    "token request from {}: 401, {}",
                    exchange.getRemoteAddress(),
                    presented ? "unknown or malformed api key" : "no credentials");
            HttpResponses.sendError(exchange, 401, presented ? "unknown api key" : "missing Authorization: Bearer");
            return;
        }
        if (!HttpResponses.isMediaType(
                exchange.getRequestHeaders().getFirst("Content-Type"), IssuanceHttp.REQUEST_MEDIA_TYPE)) {
            reject(
                    exchange,
                    account.get(),
                    415,
                    "unsupported Content-Type (expected: " + IssuanceHttp.REQUEST_MEDIA_TYPE + ")");
            return;
        }
        // One byte more than a TokenRequest tells "too large" apart; the server drains or drops the rest.
        byte[] body = exchange.getRequestBody().readNBytes(TokenRequest.LENGTH + 1);
        if (body.length > TokenRequest.LENGTH) {
            reject(
                    exchange,
                    account.get(),
                    413,
                    "content too large (expected: one TokenRequest of " + TokenRequest.LENGTH + " bytes)");
            return;
        }
        TokenRequest request;
        try {
            request = TokenRequest.decode(body);
        } catch (MalformedTokenException e) {
            reject(exchange, account.get(), 422, String.valueOf(e.getMessage()));
            return;
        }
        if (request.truncatedTokenKeyId() != truncatedTokenKeyId) {
            reject(
                    exchange,
                    account.get(),
                    422,
                    String.format(
                            "truncated_token_key_id 0x%02x names no key of this issuer",
                            request.truncatedTokenKeyId()));
            return;
        }
        AccountLimiter.Permit permit;
        try {
            permit = limiter.tryAcquire(account.get());
        } catch (LimitExceededException e) {
            exchange.getResponseHeaders()
                    .set("Retry-After", Long.toString(e.retryAfter().toSeconds()));
            reject(exchange, account.get(), 429, e.limit() + " reached");
            return;
        }
        TokenResponse response;
        try {
            response = PublicTokenIssuance.evaluate(request, signingKey);
        } catch (BlindRsaException | MalformedTokenException e) {
            // The request passed every check above, so this is our key or our code.
            log.error("token request from account {}: signing failed: {}", account.get(), e.getMessage());
            HttpResponses.sendError(exchange, 500, "signing failed");
            return;
        } finally {
            permit.close();
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        HttpResponses.send(exchange, 200, IssuanceHttp.RESPONSE_MEDIA_TYPE, response.encode());
        log.debug("token request from account {}: 200", account.get());
    }

    /**
     * Returns the account of the one {@code Authorization: Bearer} field, if its key is known.
     * The scheme is case-insensitive (RFC 9110 §11.1).
     */
    private Optional<String> authenticate(@Nullable List<String> authorization) {
        if (authorization == null || authorization.size() != 1) {
            return Optional.empty();
        }
        String value = authorization.get(0).strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return Optional.empty();
        }
        return apiKeys.account(value.substring(space + 1).strip());
    }

    private static void reject(HttpExchange exchange, String account, int status, String message) throws IOException {
        log.debug("token request from account {}: {} {}", account, status, message);
        HttpResponses.sendError(exchange, status, message);
    }
}
