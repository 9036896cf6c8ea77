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

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A running relay as its operator and its tests see it, the same for the ingress and the egress:
 * its config, its metrics, its listeners, and the shutdown of {@link RelayServer}.
 *
 * @param <C> the relay's config record
 */
public abstract class Relay<C> implements AutoCloseable {
    private volatile C config;
    private final RelayMetrics metrics;
    private final RelayServer server;

    protected Relay(C config, RelayMetrics metrics, RelayServer server) {
        this.config = config;
        this.metrics = metrics;
        this.server = server;
    }

    public final InetSocketAddress quicAddress() {
        return server.quicAddress();
    }

    /** The admin listener's address, or {@code null} when the config has no {@code admin}. */
    public final @Nullable InetSocketAddress adminAddress() {
        return server.adminAddress().orElse(null);
    }

    /** Open connections per listening QUIC socket (one per event loop). */
    public final List<Integer> connectionsPerSocket() {
        return server.connectionsPerSocket();
    }

    public final RelayMetrics metrics() {
        return metrics;
    }

    /** The metrics in Prometheus text format, as {@code /metrics} serves them. */
    public final String scrapeMetrics() {
        return server.scrapeMetrics();
    }

    public final C config() {
        return config;
    }

    /**
     * Applies a new, validated config to new tunnels; open ones carry on with what they had
     * (SIGHUP, docs/architecture.md §7). On any error the previous config stays in force and the
     * error is recorded for {@code /healthz}.
     *
     * @return true when applied
     */
    public final synchronized boolean reload(C next) {
        try {
            apply(config, next);
        } catch (RuntimeException e) {
            server.reloads().failed(e.getMessage() == null ? e.toString() : e.getMessage());
            return false;
        }
        config = next;
        server.reloads().succeeded();
        return true;
    }

    /** Records a config file that did not load or validate: the previous config stays. */
    public final void reloadFailed(String error) {
        server.reloads().failed(error);
    }

    /**
     * Makes {@code next} the config of new tunnels. Throws, changing nothing, when it cannot: for
     * example when it changes what only a restart can (listen and admin addresses, TLS).
     */
    protected abstract void apply(C current, C next);

    /** For {@link #apply}: records {@code key} in {@code errors} when a reload changed it. */
    protected static void unchanged(List<String> errors, String key, @Nullable Object was, @Nullable Object now) {
        if (!Objects.equals(was, now)) {
            errors.add(key + ": changed (expected: unchanged; a new " + key + " needs a restart)");
        }
    }

    /** For {@link #apply}: refuses the reload, changing nothing, when {@link #unchanged} found any. */
    protected static void refuseIfAny(List<String> errors) {
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
    }

    /**
     * GOAWAY on every connection (RFC 9114 §5.2), wait until no tunnel is left or {@code
     * deadline} passed, then close everything.
     */
    public final void drainAndClose(Duration deadline) {
        server.drainAndClose(deadline);
    }

    @Override
    public final void close() {
        server.close();
    }
}
