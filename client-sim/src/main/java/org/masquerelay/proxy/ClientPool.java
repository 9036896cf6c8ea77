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
package org.masquerelay.proxy;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;

/**
 * A small pool of {@link MasqueClient}s, each one outer and one inner QUIC connection (docs/architecture.md §1).
 * Flows go to the first client with fewer than {@code maxStreamsPerClient} open streams; when every
 * client is full, another is created. Clients are kept once created and reconnect lazily on their
 * next flow after a hop dropped. Each stream holds its slot until it closes.
 *
 * <p>Thread-safe: slots are counted under the pool's lock, from any event loop.
 */
public final class ClientPool implements UpstreamConnector, AutoCloseable {
    /** Makes a new client (a new relay connection on first use). */
    @FunctionalInterface
    public interface ClientFactory {
        MasqueClient create() throws Exception;
    }

    private static final class Entry {
        final MasqueClient client;
        int streams;

        Entry(MasqueClient client) {
            this.client = client;
        }
    }

    private final ClientFactory factory;
    private final int maxStreamsPerClient;
    private final Duration openTimeout;
    private final List<Entry> entries = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by this

    /**
     * Creates the first client at once, so a bad client config fails here and not on the first flow.
     */
    public ClientPool(ClientFactory factory, int maxStreamsPerClient, Duration openTimeout) throws Exception {
        if (maxStreamsPerClient < 1) {
            throw new IllegalArgumentException("maxStreamsPerClient: " + maxStreamsPerClient + " (expected: >= 1)");
        }
        this.factory = factory;
        this.maxStreamsPerClient = maxStreamsPerClient;
        this.openTimeout = openTimeout;
        entries.add(new Entry(factory.create()));
    }

    /** The client for the next flow: the first with room, or a new one. */
    private synchronized Entry pick() throws Exception {
        if (closed) {
            throw new IOException("proxy is shutting down");
        }
        for (Entry e : entries) {
            if (e.streams < maxStreamsPerClient) {
                return e;
            }
        }
        Entry e = new Entry(factory.create());
        entries.add(e);
        return e;
    }

    /** A slot on {@code e}, given back exactly once by the returned action. */
    private Runnable take(Entry e) {
        synchronized (this) {
            e.streams++;
        }
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                synchronized (this) {
                    e.streams--;
                }
            }
        };
    }

    @Override
    public CompletableFuture<QuicStreamChannel> openTcp(String host, int port, Consumer<QuicStreamChannel> onOpen) {
        Entry e;
        try {
            e = pick();
        } catch (Exception ex) {
            return CompletableFuture.failedFuture(ex);
        }
        Runnable release = take(e);
        CompletableFuture<QuicStreamChannel> f = e.client.openTcp(host, port, stream -> {
            stream.closeFuture().addListener(x -> release.run());
            onOpen.accept(stream);
        });
        return guard(f, release);
    }

    @Override
    public UdpSession udpSession() throws Exception {
        Entry e = pick();
        return new UdpSession() {
            @Override
            public EventLoop eventLoop() {
                return e.client.eventLoop();
            }

            @Override
            public CompletableFuture<DatagramTunnelHandler> openUdp(
                    String host, int port, DatagramTunnelHandler.Local local) {
                // The association is pinned to this client, so its flows may pass the soft limit.
                Runnable release = take(e);
                CompletableFuture<DatagramTunnelHandler> f = e.client.openUdp(host, port, local);
                f.thenAccept(t -> t.stream().closeFuture().addListener(x -> release.run()));
                return guard(f, release);
            }
        };
    }

    private <T> CompletableFuture<T> guard(CompletableFuture<T> f, Runnable release) {
        f.whenComplete((ok, err) -> {
            if (err != null) {
                release.run();
            }
        });
        return f.orTimeout(openTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Relay connections (clients) in the pool. */
    public synchronized int clients() {
        return entries.size();
    }

    /** Open streams over all clients. */
    public synchronized int activeStreams() {
        int n = 0;
        for (Entry e : entries) {
            n += e.streams;
        }
        return n;
    }

    /** The location the first client with an asserted one presents (docs/architecture.md §4). */
    public synchronized Optional<SecChGeohash> location() {
        for (Entry e : entries) {
            Optional<SecChGeohash> l = e.client.location();
            if (l.isPresent()) {
                return l;
            }
        }
        return Optional.empty();
    }

    /** Relay sessions replaced after a hop dropped, over all clients. */
    public synchronized long reconnects() {
        long n = 0;
        for (Entry e : entries) {
            n += e.client.reconnects();
        }
        return n;
    }

    @Override
    public void close() {
        List<Entry> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(entries);
        }
        for (Entry e : all) {
            e.client.close();
        }
    }
}
