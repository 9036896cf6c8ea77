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
package org.masquerelay.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.TokenFetchException.Reason;
import org.masquerelay.config.Addresses;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.token.IssuanceHttp;
import org.masquerelay.protocol.token.IssuerDirectory;
import org.masquerelay.protocol.token.MalformedTokenException;
import org.masquerelay.protocol.token.PendingToken;
import org.masquerelay.protocol.token.PrivateTokenChallenge;
import org.masquerelay.protocol.token.PublicTokenIssuance;
import org.masquerelay.protocol.token.Token;
import org.masquerelay.protocol.token.TokenChallenge;
import org.masquerelay.protocol.token.TokenKey;
import org.masquerelay.protocol.token.TokenResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of Privacy Pass issuance (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6">RFC 9578 §6</a>, token type 0x0002):
 * obtains tokens from one issuer with an account API key, keeps them in memory, and hands out each
 * token once.
 *
 * <h2>Where the challenge comes from</h2>
 *
 * <p>A token answers one TokenChallenge (RFC 9577 §2.1): its challenge_digest is SHA-256 of the
 * challenge, so tokens must be fetched for the exact challenge the ingress will check. Per RFC
 * 9577 the ingress sends it in a 407 {@code Proxy-Authenticate: PrivateToken challenge=...,
 * token-key=...}. The expected use:
 *
 * <ol>
 *   <li>the first CONNECT to an ingress goes without a token and gets 407;
 *       {@link #selectChallenge(String)} picks this issuer's type-0x0002 challenge from the field;
 *   <li>{@link #next(PrivateTokenChallenge)} returns a token for it, fetched with the key named in
 *       {@code token-key};
 *   <li>the client retries with {@code Proxy-Authorization: PrivateToken token=...} ({@link
 *       org.masquerelay.protocol.token.PrivateTokenCredentials#of}), and keeps the challenge: every
 *       later tunnel to that ingress sends a fresh token for it up front, with no extra round trip.
 * </ol>
 *
 * <p>That reuse is what RFC 9577 §2.1.1 allows when redemption_context is empty: such a challenge
 * stays the same across requests, so tokens for it can be fetched ahead, in batches, and cached.
 * The challenge this design expects from the ingress is {@code TokenChallenge(0x0002, issuer-name,
 * empty context, origin_info = the ingress's name)}. A caller that already knows those values (a
 * test, or a client configured with them) can build it and call {@link #next(TokenChallenge)},
 * which takes the key from the issuer's directory. A challenge with a non-empty
 * redemption_context answers one request only, so for it exactly as many tokens are fetched as
 * callers wait for, and none are kept ahead.
 *
 * <h2>Batches and refill</h2>
 *
 * <p>RFC 9578 carries one TokenRequest per HTTP request, and this fetcher keeps to it: a batch of
 * {@code batchSize} tokens is that many POSTs, at most {@code parallelism} in flight at once. A
 * pool of tokens is kept per (challenge, token key). When a pool falls below {@code lowWatermark}
 * a batch is started in the background; a caller that finds the pool empty waits for the next
 * token of the batch. Keep {@code parallelism} at or below the issuer's {@code max-batch}, or the
 * issuer answers the excess with 429.
 *
 * <h2>Failures</h2>
 *
 * <p>Each failure is a {@link TokenFetchException} with a {@link Reason}: 401 ({@code
 * UNAUTHORIZED}: the key file holds a key the issuer does not know), 429 ({@code RATE_LIMITED}
 * with {@code Retry-After}; until then no request goes to the issuer and callers fail at once with
 * the remaining wait), 422 and other rejections (after which the directory is fetched again, as
 * RFC 9578 §4 advises when issuance fails, in case the key rotated), unreachable issuer, or a
 * response that does not decode or finalize. Tokens that arrived before a failure are kept.
 *
 * <h2>Privacy and secrets</h2>
 *
 * <p>The issuer sees the account and blinded messages only. The API key goes in {@code
 * Authorization: Bearer} on token requests alone (never on the public directory), only to the
 * directory's own origin, and over HTTPS unless the issuer is on loopback or plain HTTP was
 * allowed explicitly. Redirects are not followed. Neither the key nor tokens appear in messages,
 * logs or {@link #toString()}.
 *
 * <p>Thread-safe. Blinding and finalizing run on the fetcher's own thread, never on a caller's, and
 * {@link #nextAsync} never blocks, so it may be called from an event loop. Its futures complete on
 * the fetcher's or the HTTP client's threads: attach heavy work with an {@code ...Async} method.
 */
public final class TokenFetcher implements AutoCloseable {
    public static final int DEFAULT_BATCH_SIZE = 8;
    public static final int DEFAULT_PARALLELISM = 4;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** What a 429 without a usable {@code Retry-After} is taken to mean. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);
    /** Pools kept at most; the least recently used idle one goes first. */
    static final int MAX_POOLS = 16;

    private static final Logger log = LoggerFactory.getLogger(TokenFetcher.class);

    private final URI directoryUri;
    private final String apiKey;
    private final String issuerName;
    private final int batchSize;
    private final int lowWatermark;
    private final int parallelism;
    private final Duration timeout;
    private final HttpClient http;
    private final SecureRandom random;
    private final ExecutorService executor;

    // Guarded by this.
    private final Map<String, Pool> pools = new LinkedHashMap<>(16, 0.75f, true);
    private @Nullable CompletableFuture<IssuerDirectory> directory;
    private long backoffUntilNanos;
    private boolean closed;

    private TokenFetcher(Builder b) {
        this.directoryUri = b.directoryUri;
        this.apiKey = b.apiKey;
        this.issuerName = b.issuerName;
        this.batchSize = b.batchSize;
        this.lowWatermark = b.lowWatermark;
        this.parallelism = b.parallelism;
        this.timeout = b.timeout;
        this.http = b.http != null
                ? b.http
                : HttpClient.newBuilder()
                        .connectTimeout(b.timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.random = b.random;
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "token-fetcher");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts a builder.
     *
     * @param issuer the issuer's directory URL, or its base URL ({@code https://issuer.example/}),
     *     to which {@value IssuanceHttp#DIRECTORY_PATH} is added
     * @param apiKey the account's API key, as read by the caller from its key file
     */
    public static Builder builder(URI issuer, String apiKey) {
        return new Builder(issuer, apiKey);
    }

    /**
     * Returns a token for {@code challenge}, blinded for the issuer's preferred key of type 0x0002
     * from its directory (RFC 9578 §4). Blocks until a token is available or fetching fails.
     *
     * @throws TokenFetchException if no token could be had; see {@link Reason}
     * @throws IllegalArgumentException if the challenge is not of token type 0x0002
     */
    public Token next(TokenChallenge challenge) throws TokenFetchException, InterruptedException {
        return await(nextAsync(challenge));
    }

    /**
     * Returns a token for a challenge from a {@code Proxy-Authenticate} field, blinded for the key
     * it names in {@code token-key}, or for the directory's key if it names none. Blocks until a
     * token is available or fetching fails.
     *
     * @throws TokenFetchException if no token could be had; {@code UNSUPPORTED_CHALLENGE} if the
     *     challenge is of another type or issuer or its parts do not decode
     */
    public Token next(PrivateTokenChallenge challenge) throws TokenFetchException, InterruptedException {
        return await(nextAsync(challenge));
    }

    /** {@link #next(TokenChallenge)} without blocking: the future fails with a {@link TokenFetchException}. */
    public CompletableFuture<Token> nextAsync(TokenChallenge challenge) {
        if (challenge.tokenType() != PublicTokenIssuance.TOKEN_TYPE) {
            throw new IllegalArgumentException(String.format(
                    "challenge token_type 0x%04x (expected: 0x%04x)",
                    challenge.tokenType(), PublicTokenIssuance.TOKEN_TYPE));
        }
        return take(challenge, null);
    }

    /** {@link #next(PrivateTokenChallenge)} without blocking: the future fails with a {@link TokenFetchException}. */
    public CompletableFuture<Token> nextAsync(PrivateTokenChallenge challenge) {
        if (challenge.tokenType() != PublicTokenIssuance.TOKEN_TYPE) {
            return CompletableFuture.failedFuture(new TokenFetchException(
                    Reason.UNSUPPORTED_CHALLENGE,
                    String.format(
                            "challenge token_type 0x%04x (expected: 0x%04x)",
                            challenge.tokenType(), PublicTokenIssuance.TOKEN_TYPE)));
        }
        TokenChallenge decoded;
        TokenKey key;
        try {
            decoded = challenge.decodeChallenge();
            key = challenge.tokenKey() == null ? null : TokenKey.decode(challenge.tokenKey());
        } catch (MalformedTokenException e) {
            return CompletableFuture.failedFuture(new TokenFetchException(
                    Reason.UNSUPPORTED_CHALLENGE, "challenge does not decode: " + e.getMessage()));
        }
        return take(decoded, key);
    }

    /**
     * Returns this issuer's first type-0x0002 challenge in a {@code Proxy-Authenticate} (or {@code
     * WWW-Authenticate}) field value, skipping challenges of other types or issuers and ones that
     * do not decode, as RFC 9577 §2.1 lets clients do.
     *
     * @throws MalformedTokenException if the field is not an RFC 9110 §11 challenge list
     */
    public Optional<PrivateTokenChallenge> selectChallenge(String fieldValue) {
        for (PrivateTokenChallenge candidate : PrivateTokenChallenge.parse(fieldValue)) {
            if (candidate.tokenType() != PublicTokenIssuance.TOKEN_TYPE) {
                continue;
            }
            try {
                if (isOurs(candidate.decodeChallenge())) {
                    return Optional.of(candidate);
                }
            } catch (MalformedTokenException e) {
                // Not usable; a later challenge may be.
            }
        }
        return Optional.empty();
    }

    /** Returns how many unspent tokens are cached for {@code challenge}, over all keys. */
    public synchronized int available(TokenChallenge challenge) {
        String prefix = poolPrefix(challenge);
        return pools.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .mapToInt(e -> e.getValue().tokens.size())
                .sum();
    }

    /**
     * Drops the cached tokens for {@code challenge}, for example after the ingress answered one of
     * them with a new 407 challenge: it will not accept the others either. Callers already waiting
     * still get their tokens; nothing more is cached for it.
     */
    public synchronized void discard(TokenChallenge challenge) {
        String prefix = poolPrefix(challenge);
        var it = pools.entrySet().iterator();
        while (it.hasNext()) {
            var entry = it.next();
            if (entry.getKey().startsWith(prefix)) {
                entry.getValue().discarded = true;
                entry.getValue().tokens.clear();
                it.remove();
            }
        }
    }

    /** Fails waiting callers with {@code CLOSED}, drops the cached tokens and stops the fetcher's thread. */
    @Override
    public void close() {
        List<CompletableFuture<Token>> waiting = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Pool pool : pools.values()) {
                waiting.addAll(pool.waiters);
                pool.waiters.clear();
                pool.tokens.clear();
                pool.discarded = true;
            }
            pools.clear();
        }
        TokenFetchException failure = closed();
        waiting.forEach(w -> w.completeExceptionally(failure));
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "TokenFetcher[" + directoryUri + "]";
    }

    // ---- pools ----
    // State changes happen under the fetcher's lock; completing callers' futures and starting
    // batches happen after it is released (the "after" lists), so no caller code runs under it.

    /** Unspent tokens for one (challenge, key), and the callers waiting for one. */
    private static final class Pool {
        final TokenChallenge challenge;
        final TokenKey key;
        final ArrayDeque<Token> tokens = new ArrayDeque<>();
        final ArrayDeque<CompletableFuture<Token>> waiters = new ArrayDeque<>();
        boolean refilling;
        boolean discarded;

        Pool(TokenChallenge challenge, TokenKey key) {
            this.challenge = challenge;
            this.key = key;
        }

        /** RFC 9577 §2.1.1: only a challenge without redemption_context is answered more than once. */
        boolean cacheable() {
            return challenge.redemptionContext().length == 0 && !discarded;
        }
    }

    private CompletableFuture<Token> take(TokenChallenge challenge, @Nullable TokenKey knownKey) {
        synchronized (this) {
            if (closed) {
                return closedFailure();
            }
        }
        if (!isOurs(challenge)) {
            return CompletableFuture.failedFuture(new TokenFetchException(
                    Reason.UNSUPPORTED_CHALLENGE,
                    "challenge names issuer " + challenge.issuerName() + " (expected: " + issuerName + ")"));
        }
        CompletableFuture<TokenKey> key = knownKey != null
                ? CompletableFuture.completedFuture(knownKey)
                : directory().thenApply(TokenFetcher::preferredKey);
        // The caller's future itself waits in the pool, so that a caller who cancels it (or stops
        // waiting in next()) leaves the token for the next one instead of losing it.
        CompletableFuture<Token> result = new CompletableFuture<>();
        key.whenComplete((k, failure) -> {
            if (failure != null) {
                result.completeExceptionally(toFetchException(failure));
            } else {
                enqueue(challenge, k, result);
            }
        });
        return result;
    }

    /** Completes {@code waiter} from the pool or queues it, and starts a batch if one is due. */
    private void enqueue(TokenChallenge challenge, TokenKey key, CompletableFuture<Token> waiter) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                after.add(() -> waiter.completeExceptionally(closed()));
            } else {
                String id = poolPrefix(challenge) + HexFormat.of().formatHex(key.tokenKeyId());
                if (!pools.containsKey(id)) {
                    evictIdlePools(MAX_POOLS - 1);
                }
                Pool pool = pools.computeIfAbsent(id, k -> new Pool(challenge, key));
                Token token = pool.tokens.poll();
                if (token != null) {
                    after.add(() -> {
                        if (!waiter.complete(token)) {
                            deliver(pool, token); // the caller gave up already
                        }
                    });
                } else {
                    pool.waiters.add(waiter);
                }
                maybeRefill(pool, after);
            }
        }
        after.forEach(Runnable::run);
    }

    /**
     * Plans a batch when the pool runs low or callers wait, unless one is running or a 429 said
     * to wait, in which case the waiting callers fail with the time left. Holds the lock.
     */
    private void maybeRefill(Pool pool, List<Runnable> after) {
        if (pool.refilling || closed) {
            return;
        }
        int count = pool.cacheable()
                ? (pool.tokens.size() < lowWatermark || !pool.waiters.isEmpty()
                        ? Math.max(batchSize, pool.waiters.size())
                        : 0)
                : pool.waiters.size();
        if (count == 0) {
            return;
        }
        long waitNanos = backoffUntilNanos - System.nanoTime();
        if (waitNanos > 0) {
            Duration wait = Duration.ofSeconds(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
            failWaiters(
                    pool,
                    new TokenFetchException(
                            Reason.RATE_LIMITED,
                            429,
                            wait,
                            "issuer rate limit: not asking again for " + wait.toSeconds() + " s",
                            null),
                    after);
            return;
        }
        pool.refilling = true;
        after.add(() -> startBatch(pool, count));
    }

    /** Sends {@code count} requests in at most {@code parallelism} lanes of sequential requests. */
    private void startBatch(Pool pool, int count) {
        AtomicReference<TokenFetchException> failure = new AtomicReference<>();
        int lanes = Math.min(parallelism, count);
        CompletableFuture<?>[] running = new CompletableFuture<?>[lanes];
        for (int lane = 0; lane < lanes; lane++) {
            int share = count / lanes + (lane < count % lanes ? 1 : 0);
            running[lane] = lane(pool, share, failure);
        }
        CompletableFuture.allOf(running).whenComplete((ignored, t) -> batchDone(pool, failure.get()));
    }

    /** Fetches {@code count} tokens one after another, stopping at the first failure. */
    private CompletableFuture<Void> lane(Pool pool, int count, AtomicReference<TokenFetchException> failure) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < count; i++) {
            chain = chain.thenCompose(v -> fetchOne(pool).thenAccept(token -> deliver(pool, token)));
        }
        return chain.exceptionally(t -> {
            failure.accumulateAndGet(toFetchException(t), TokenFetcher::moreTelling);
            return null;
        });
    }

    /** Hands a new token to the first caller still waiting, or caches it. */
    private void deliver(Pool pool, Token token) {
        while (true) {
            CompletableFuture<Token> waiter;
            synchronized (this) {
                waiter = pool.waiters.poll();
                if (waiter == null) {
                    if (pool.cacheable() && !closed) {
                        pool.tokens.add(token);
                    }
                    return;
                }
            }
            if (waiter.complete(token)) {
                return;
            }
            // That caller gave up (cancelled or timed out); try the next.
        }
    }

    private void batchDone(Pool pool, @Nullable TokenFetchException failure) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            pool.refilling = false;
            if (failure == null) {
                if (!pool.discarded) {
                    maybeRefill(pool, after);
                }
            } else {
                // Callers waiting hear of it; a background refill has nobody else to tell.
                log.debug("token batch failed: {}", failure.getMessage());
                if (failure.reason() == Reason.RATE_LIMITED) {
                    backoffUntilNanos = System.nanoTime()
                            + failure.retryAfter().orElse(DEFAULT_RETRY_AFTER).toNanos();
                }
                if (failure.reason() == Reason.REJECTED || failure.reason() == Reason.INVALID_RESPONSE) {
                    directory = null; // RFC 9578 §4: revalidate the directory when issuance fails
                }
                failWaiters(pool, failure, after);
            }
        }
        after.forEach(Runnable::run);
    }

    /** Takes every waiting caller off the pool, to fail after the lock is released. Holds the lock. */
    private static void failWaiters(Pool pool, TokenFetchException failure, List<Runnable> after) {
        List<CompletableFuture<Token>> waiting = new ArrayList<>(pool.waiters);
        pool.waiters.clear();
        after.add(() -> waiting.forEach(w -> w.completeExceptionally(failure)));
    }

    /** Drops the least recently used pools that nobody waits on, down to {@code limit}. Holds the lock. */
    private void evictIdlePools(int limit) {
        var it = pools.values().iterator();
        while (pools.size() > limit && it.hasNext()) {
            Pool eldest = it.next();
            if (eldest.waiters.isEmpty() && !eldest.refilling) {
                it.remove();
            }
        }
    }

    private static <T> CompletableFuture<T> closedFailure() {
        return CompletableFuture.failedFuture(closed());
    }

    private static TokenFetchException closed() {
        return new TokenFetchException(Reason.CLOSED, "token fetcher closed");
    }

    private static String poolPrefix(TokenChallenge challenge) {
        return HexFormat.of().formatHex(challenge.encode()) + "/";
    }

    private boolean isOurs(TokenChallenge challenge) {
        return challenge.issuerName().equalsIgnoreCase(issuerName);
    }

    // ---- the two HTTP exchanges of RFC 9578 ----

    private synchronized CompletableFuture<IssuerDirectory> directory() {
        if (directory == null || directory.isCompletedExceptionally()) {
            // The directory is public: no Authorization on this request.
            HttpRequest request = HttpRequest.newBuilder(directoryUri)
                    .timeout(timeout)
                    .header("Accept", IssuanceHttp.DIRECTORY_MEDIA_TYPE)
                    .GET()
                    .build();
            directory = http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .thenApply(this::parseDirectory);
        }
        return directory;
    }

    private IssuerDirectory parseDirectory(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new CompletionException(statusFailure(response.statusCode(), response.headers(), "directory"));
        }
        try {
            return IssuerDirectory.fromJson(response.body());
        } catch (MalformedTokenException e) {
            throw new CompletionException(new TokenFetchException(
                    Reason.INVALID_RESPONSE,
                    200,
                    null,
                    "issuer directory " + directoryUri + " does not parse: " + e.getMessage(),
                    null));
        }
    }

    private static TokenKey preferredKey(IssuerDirectory directory) {
        IssuerDirectory.TokenKeyEntry entry = directory
                .preferredKey(PublicTokenIssuance.TOKEN_TYPE, Instant.now().getEpochSecond())
                .orElseThrow(() -> new CompletionException(new TokenFetchException(
                        Reason.INVALID_RESPONSE, "issuer directory lists no usable key of token type 0x0002")));
        try {
            return TokenKey.decode(entry.tokenKey());
        } catch (MalformedTokenException e) {
            throw new CompletionException(new TokenFetchException(
                    Reason.INVALID_RESPONSE, "issuer directory's token key does not decode: " + e.getMessage()));
        }
    }

    /** One RFC 9578 §6 exchange: blind, POST, finalize. */
    private CompletableFuture<Token> fetchOne(Pool pool) {
        return directory().thenCompose(dir -> {
            URI requestUri = requestUri(dir);
            return CompletableFuture.supplyAsync(
                            () -> PublicTokenIssuance.createTokenRequest(pool.challenge, pool.key, random), executor)
                    .thenCompose(pending -> {
                        HttpRequest request = HttpRequest.newBuilder(requestUri)
                                .timeout(timeout)
                                .header("Content-Type", IssuanceHttp.REQUEST_MEDIA_TYPE)
                                .header("Accept", IssuanceHttp.RESPONSE_MEDIA_TYPE)
                                .header("Authorization", "Bearer " + apiKey)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(
                                        pending.request().encode()))
                                .build();
                        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                                .thenApplyAsync(response -> finish(pending, response), executor);
                    });
        });
    }

    /**
     * Resolves the directory's issuer-request-uri against the directory's URL (RFC 9578 §4), and
     * refuses another origin: the API key goes only where the directory came from.
     */
    private URI requestUri(IssuerDirectory dir) {
        URI uri = directoryUri.resolve(dir.issuerRequestUri());
        if (!Objects.equals(uri.getScheme(), directoryUri.getScheme())
                || !Objects.equals(lower(uri.getHost()), lower(directoryUri.getHost()))
                || port(uri) != port(directoryUri)) {
            throw new CompletionException(new TokenFetchException(
                    Reason.INVALID_RESPONSE,
                    "issuer-request-uri is on another origin than the directory; refusing to send the api key"));
        }
        return uri;
    }

    private Token finish(PendingToken pending, HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new CompletionException(statusFailure(response.statusCode(), response.headers(), "token request"));
        }
        try {
            return PublicTokenIssuance.finalizeToken(pending, TokenResponse.decode(response.body()));
        } catch (ProtocolException e) {
            throw new CompletionException(new TokenFetchException(
                    Reason.INVALID_RESPONSE,
                    200,
                    null,
                    "issuer's TokenResponse is unusable (RFC 9578 §6.3): " + e.getMessage(),
                    null));
        }
    }

    private TokenFetchException statusFailure(int status, HttpHeaders headers, String what) {
        String at = what + " to " + directoryUri.resolve("/");
        if (status == 401) {
            return new TokenFetchException(
                    Reason.UNAUTHORIZED,
                    status,
                    null,
                    at + ": 401, the issuer does not accept the api key (check the api key file)",
                    null);
        }
        if (status == 429) {
            Duration retryAfter = retryAfter(headers.firstValue("Retry-After"), Instant.now());
            return new TokenFetchException(
                    Reason.RATE_LIMITED,
                    status,
                    retryAfter,
                    at + ": 429, account rate limit; retry after " + retryAfter.toSeconds() + " s",
                    null);
        }
        if (status >= 400 && status < 500) {
            return new TokenFetchException(Reason.REJECTED, status, null, at + ": " + status + " rejected", null);
        }
        return new TokenFetchException(Reason.ISSUER_ERROR, status, null, at + ": unexpected status " + status, null);
    }

    /** Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a default if neither. */
    static Duration retryAfter(Optional<String> value, Instant now) {
        if (value.isEmpty()) {
            return DEFAULT_RETRY_AFTER;
        }
        String text = value.get().strip();
        if (!text.isEmpty() && text.length() <= 10 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Duration.ofSeconds(Long.parseLong(text));
        }
        try {
            Duration wait = Duration.between(now, ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME));
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException e) {
            return DEFAULT_RETRY_AFTER;
        }
    }

    private static TokenFetchException toFetchException(@Nullable Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TokenFetchException e) {
            return e;
        }
        if (cause instanceof HttpTimeoutException) {
            return new TokenFetchException(Reason.UNREACHABLE, 0, null, "issuer did not answer in time", cause);
        }
        if (cause instanceof IOException) {
            return new TokenFetchException(Reason.UNREACHABLE, 0, null, "issuer unreachable: " + cause, cause);
        }
        if (cause instanceof RejectedExecutionException || cause instanceof CancellationException) {
            return new TokenFetchException(Reason.CLOSED, 0, null, "token fetcher closed", cause);
        }
        return new TokenFetchException(Reason.INTERNAL, 0, null, "token fetch failed: " + cause, cause);
    }

    /**
     * Of two failures in one batch, the one to report: the earlier {@link Reason}, since they are
     * declared from the most to the least actionable (a bad key beats a rate limit beats the rest).
     */
    private static TokenFetchException moreTelling(@Nullable TokenFetchException a, TokenFetchException b) {
        if (a == null) {
            return b;
        }
        return b.reason().compareTo(a.reason()) < 0 ? b : a;
    }

    private static <T> T await(CompletableFuture<T> future) throws TokenFetchException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw toFetchException(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(false); // a token arriving later goes to the next caller or the cache
            throw e;
        }
    }

    private static @Nullable String lower(@Nullable String host) {
        return host == null ? null : host.toLowerCase(Locale.ROOT);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Configures a {@link TokenFetcher}. */
    public static final class Builder {
        private final URI directoryUri;
        private final String apiKey;
        private String issuerName;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int lowWatermark = -1;
        private int parallelism = DEFAULT_PARALLELISM;
        private Duration timeout = DEFAULT_TIMEOUT;
        private @Nullable HttpClient http;
        private SecureRandom random = new SecureRandom();
        private boolean allowPlainHttp;

        private Builder(URI issuer, String apiKey) {
            Objects.requireNonNull(issuer, "issuer");
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey").strip();
            if (this.apiKey.isEmpty() || this.apiKey.chars().anyMatch(c -> c <= 0x20 || c >= 0x7F)) {
                throw new IllegalArgumentException("apiKey: empty or not printable ASCII");
            }
            if (!issuer.isAbsolute()
                    || issuer.getHost() == null
                    || !("https".equalsIgnoreCase(issuer.getScheme()) || "http".equalsIgnoreCase(issuer.getScheme()))) {
                throw new IllegalArgumentException("issuer: " + issuer + " (expected: an http(s) URL with a host)");
            }
            String path = issuer.getRawPath();
            this.directoryUri = path == null || path.isEmpty() || path.equals("/")
                    ? issuer.resolve(IssuanceHttp.DIRECTORY_PATH)
                    : issuer;
            this.issuerName = issuer.getPort() < 0 ? issuer.getHost() : issuer.getHost() + ":" + issuer.getPort();
        }

        /**
         * The issuer_name this issuer's challenges carry (RFC 9577 §2.1); default the host[:port]
         * of the issuer URL. Challenges naming another issuer are refused, since this account's
         * tokens would not answer them.
         */
        public Builder issuerName(String name) {
            this.issuerName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Tokens fetched per batch, 1-1000; default {@value #DEFAULT_BATCH_SIZE}. */
        public Builder batchSize(int tokens) {
            this.batchSize = checkRange("batchSize", tokens, 1, 1000);
            return this;
        }

        /** A batch starts when fewer than this many tokens are cached; 1 to batchSize, default half of it. */
        public Builder lowWatermark(int tokens) {
            this.lowWatermark = checkRange("lowWatermark", tokens, 1, 1000);
            return this;
        }

        /** Token requests in flight at once, 1-64; default {@value #DEFAULT_PARALLELISM}. */
        public Builder parallelism(int requests) {
            this.parallelism = checkRange("parallelism", requests, 1, 64);
            return this;
        }

        /** Timeout of each HTTP request (and of connecting, for the built-in client). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: positive)");
            }
            this.timeout = timeout;
            return this;
        }

        /** The HTTP client, for example one with an {@code SSLContext} trusting a private CA. */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "client");
            return this;
        }

        /** The randomness for nonces and blinds (RFC 9578 §6.1); default a new {@link SecureRandom}. */
        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Allows {@code http://} to a non-loopback issuer, which sends the API key in clear. */
        public Builder allowPlainHttp(boolean allow) {
            this.allowPlainHttp = allow;
            return this;
        }

        /**
         * Builds the fetcher. Nothing is fetched until the first token is asked for.
         *
         * @throws IllegalArgumentException if the URL is plain HTTP to a non-loopback host without
         *     {@link #allowPlainHttp}, or lowWatermark exceeds batchSize
         */
        public TokenFetcher build() {
            if ("http".equalsIgnoreCase(directoryUri.getScheme()) && !allowPlainHttp && !isLoopback(directoryUri)) {
                throw new IllegalArgumentException("issuer: " + directoryUri.resolve("/")
                        + " (expected: https, or a loopback address; plain HTTP would send the api key in clear)");
            }
            if (lowWatermark < 0) {
                lowWatermark = Math.max(1, batchSize / 2);
            }
            checkRange("lowWatermark", lowWatermark, 1, batchSize);
            return new TokenFetcher(this);
        }

        private static boolean isLoopback(URI uri) {
            String host = uri.getHost();
            if (host.equalsIgnoreCase("localhost")) {
                return true;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return Addresses.address(host).isLoopbackAddress();
            } catch (IllegalArgumentException e) {
                return false; // a name: never resolved here, so never trusted as loopback
            }
        }

        private static int checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + "-" + max + ")");
            }
            return value;
        }
    }
}
