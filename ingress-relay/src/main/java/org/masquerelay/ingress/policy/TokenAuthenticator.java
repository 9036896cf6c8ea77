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
package org.masquerelay.ingress.policy;

import io.netty.handler.codec.http3.Http3Headers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.PrivateTokenCredentials;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.Token;
import org.masquerelay.protocol.token.TokenChallenge;
import org.masquerelay.protocol.token.TokenKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a connect-udp request only with a valid, unspent Privacy Pass token (RFC 9577, token
 * type 0x0002 of RFC 9578) in {@code proxy-authorization}. Without one the answer is 407 with
 * {@code proxy-authenticate: PrivateToken challenge=..., token-key=...} for each trusted key.
 *
 * <p>The challenge has an empty redemption context, so clients can fetch tokens ahead of time
 * and the token says nothing about when or where it was issued; its origin info names this
 * ingress, so tokens for another service are refused. The ingress learns only that a token was
 * valid: tokens, nonces and accounts are never logged (docs/architecture.md §2). Thread-safe.
 */
public final class TokenAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(TokenAuthenticator.class);

    private final List<TokenKey> keys;
    private final byte[] challengeDigest;
    private final String proxyAuthenticate;
    private final SpentTokenStore spent;

    /**
     * @param issuerName the issuer's name, as in its directory (RFC 9578 §4)
     * @param originInfo this ingress's name, put in the challenge
     * @param keys the issuer's token keys, first the current one
     */
    public TokenAuthenticator(String issuerName, String originInfo, List<TokenKey> keys, SpentTokenStore spent) {
        this.keys = List.copyOf(keys);
        this.spent = spent;
        TokenChallenge challenge =
                new TokenChallenge(PublicTokenIssuance.TOKEN_TYPE, issuerName, new byte[0], originInfo);
        this.challengeDigest = challenge.digest();
        List<PrivateTokenChallenge> challenges = new ArrayList<>();
        for (TokenKey k : this.keys) {
            challenges.add(PrivateTokenChallenge.of(challenge, k, OptionalLong.empty()));
        }
        this.proxyAuthenticate = PrivateTokenChallenge.toFieldValue(challenges);
    }

    /** The {@code proxy-authenticate} field value of a 407. */
    public String challengeField() {
        return proxyAuthenticate;
    }

    /** A token whose signature verified; {@link #spend} redeems it. */
    public record Verified(byte[] tokenKeyId, byte[] nonce) {}

    /**
     * Verifies and spends the request's token, waiting for the store's answer: for callers off
     * the event loop.
     *
     * @throws RelayException 407 with the challenge when the token is missing, malformed, not
     *     for this challenge or key, forged, or already spent; 503 when the store cannot decide
     */
    public void admit(Http3Headers request) {
        try {
            spend(verify(request)).toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RelayException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Verifies the request's token without spending it, so that a request refused by a later
     * check (a limit, say) costs the client no token. Whether it was spent is decided by {@link
     * #spend}, atomically, at the end.
     *
     * @throws RelayException 407 with the challenge when the token is missing, malformed, not
     *     for this challenge or key, or forged
     */
    public Verified verify(Http3Headers request) {
        CharSequence field = request.get("proxy-authorization");
        if (field == null) {
            throw refuse("token required");
        }
        Token token;
        try {
            token = PrivateTokenCredentials.parse(field.toString()).decodeToken();
        } catch (ProtocolException | IllegalArgumentException e) {
            throw refuse("malformed token");
        }
        TokenKey key = keys.stream()
                .filter(k -> Arrays.equals(k.tokenKeyId(), token.tokenKeyId()))
                .findFirst()
                .orElseThrow(() -> refuse("unknown token key"));
        try {
            PublicTokenIssuance.verify(token, challengeDigest, key);
        } catch (ProtocolException e) {
            throw refuse("invalid token");
        }
        return new Verified(token.tokenKeyId(), token.nonce());
    }

    /**
     * Redeems a verified token: the one atomic double-spend decision, made after every check
     * that could refuse the request.
     *
     * @return completes once redeemed; fails with a {@link RelayException}: 407 when another
     *     request (at this ingress or, with a shared store, at another) spent it since {@link
     *     #verify}, 503 when the store cannot decide and is set to refuse then
     */
    public CompletionStage<Void> spend(Verified token) {
        return spent.markSpent(token.tokenKeyId(), token.nonce()).thenAccept(fresh -> {
            if (!fresh) {
                throw refuse("token already spent");
            }
        });
    }

    private RelayException refuse(String why) {
        log.debug("token refused: {}", why);
        return RelayException.authenticationRequired(why, proxyAuthenticate);
    }
}
