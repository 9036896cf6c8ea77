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

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.masquerelay.ingress.config.SpendStoreConfig;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet-shared spent-token set on a Redis or Valkey server (docs/architecture.md §5), through
 * Lettuce. Each redemption is one atomic {@code SET key 1 NX PX lifetime}: the first ingress of the
 * fleet to set the key redeems the token, every later one gets nil and refuses it. The key expires
 * after the token key's configured lifetime, by when the key itself is no longer trusted, so the
 * set does not grow without bound and no token of a trusted key can be spent twice.
 *
 * <p>The key is {@code masque:spent:<token key id>:<nonce>} in hex. The nonce is the client's
 * random value from the token (RFC 9578 §5.1): the store learns nothing about who spent it.
 *
 * <p>When the store does not answer in time (down, unreachable, timing out), {@code on-error}
 * decides: {@code refuse}, the default, fails closed with 503 and a Proxy-Status
 * {@code proxy_internal_error} whose details name the store; {@code local} redeems in this
 * process's {@link CaffeineSpentTokenStore}, accepting that a token may then be spent once at each
 * ingress. Lettuce reconnects by itself; commands sent while it is disconnected fail at once
 * rather than queue. Thread-safe; stages complete on Lettuce's threads.
 */
public final class RedisSpentTokenStore implements SpentTokenStore, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisSpentTokenStore.class);
    private static final byte[] PREFIX = "masque:spent:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = {'1'};

    private final String name;
    private final SpendStoreConfig.OnError onError;
    private final long lifetimeMillis;
    private final Duration timeout;
    private final CaffeineSpentTokenStore local;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final Timer latency;
    private final Counter refused;
    private final Counter fellBack;
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final Object connecting = new Object();
    private volatile @Nullable CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connection;

    /**
     * Starts connecting; a store that does not answer yet is handled like one that went down.
     *
     * @param local the process's own set, used when {@code on-error} is {@code local}
     */
    public RedisSpentTokenStore(
            SpendStoreConfig config, CaffeineSpentTokenStore local, MeterRegistry registry, String metricPrefix)
            throws IOException {
        this.name = config.displayName();
        this.onError = config.onErrorOrDefault();
        this.lifetimeMillis = config.tokenKeyLifetimeOrDefault().toMillis();
        this.timeout = config.timeoutOrDefault();
        this.local = local;
        this.uri = RedisURI.create(config.uri());
        uri.setTimeout(timeout);
        if (config.passwordFile() != null) {
            // Redis AUTH with the password alone (no ACL user) authenticates as the default user.
            uri.setCredentialsProvider(new StaticCredentialsProvider(
                    null, Files.readString(config.passwordFile()).strip().toCharArray()));
        }
        // One I/O thread is plenty for one pipelined connection, and the box has few cores.
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        this.latency = Timer.builder(metricPrefix + "_spend_store_latency")
                .description("Round trip of one SET NX PX to the shared spend store, answered or not")
                .tag("store", name)
                .register(registry);
        this.refused = Counter.builder(metricPrefix + "_spend_store_errors")
                .description("Admissions the shared spend store could not decide, by what was done instead")
                .tag("store", name)
                .tag("action", "refused")
                .register(registry);
        this.fellBack = Counter.builder(metricPrefix + "_spend_store_errors")
                .description("Admissions the shared spend store could not decide, by what was done instead")
                .tag("store", name)
                .tag("action", "local")
                .register(registry);
        connect();
    }

    /** The store's name, without any secret: scheme, host and port. */
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<Boolean> markSpent(byte[] tokenKeyId, byte[] nonce) {
        long start = System.nanoTime();
        byte[] key = key(tokenKeyId, nonce);
        return connect()
                .thenCompose(c -> c.async().set(key, ONE, SetArgs.Builder.nx().px(lifetimeMillis)))
                .toCompletableFuture()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, error) -> {
                    latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    if (error == null) {
                        if (!healthy.getAndSet(true)) {
                            log.info("spend store {} answers again", name);
                        }
                        // SET ... NX answers OK when it set the key, nil when the key existed.
                        return "OK".equals(reply);
                    }
                    return unanswered(tokenKeyId, nonce, error);
                });
    }

    private boolean unanswered(byte[] tokenKeyId, byte[] nonce, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (healthy.getAndSet(false)) {
            // Once per outage, not once per request: an outage under load would flood the log.
            log.warn(
                    "spend store {} does not answer ({}); {} until it does",
                    name,
                    cause.toString(),
                    onError == SpendStoreConfig.OnError.LOCAL
                            ? "redeeming tokens in this process only"
                            : "refusing token admissions with 503");
        }
        if (onError == SpendStoreConfig.OnError.LOCAL) {
            fellBack.increment();
            return local.markSpentNow(tokenKeyId, nonce);
        }
        refused.increment();
        throw RelayException.unavailable(
                ProxyErrorType.PROXY_INTERNAL_ERROR, "spend store " + name + " unavailable", null);
    }

    /** The connection, or a new attempt when there is none (the last attempt failed). */
    private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connect() {
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> c = connection;
        if (c != null && !c.isCompletedExceptionally()) {
            return c;
        }
        synchronized (connecting) {
            c = connection;
            if (c == null || c.isCompletedExceptionally()) {
                c = client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
                connection = c;
            }
            return c;
        }
    }

    private static byte[] key(byte[] tokenKeyId, byte[] nonce) {
        HexFormat hex = HexFormat.of();
        byte[] id = (hex.formatHex(tokenKeyId) + ":" + hex.formatHex(nonce)).getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[PREFIX.length + id.length];
        System.arraycopy(PREFIX, 0, key, 0, PREFIX.length);
        System.arraycopy(id, 0, key, PREFIX.length, id.length);
        return key;
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> c = connection;
        if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
            c.join().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
