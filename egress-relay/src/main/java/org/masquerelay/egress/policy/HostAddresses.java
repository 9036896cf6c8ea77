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
package org.masquerelay.egress.policy;

import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's own addresses, for an egress that listens on a wildcard address: such a listener
 * answers on every address of every interface, so each of them is the relay itself. The set is
 * read from {@link NetworkInterface} at start and re-read every {@code refresh} on a daemon
 * thread of its own (never an event loop), so an address added or removed later is picked up
 * within one period. Addresses are kept without their IPv6 zone, as targets carry none.
 */
public final class HostAddresses implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostAddresses.class);

    /** How often {@link #watch} re-reads the interfaces. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);

    private final Callable<Set<InetAddress>> source;
    private final @Nullable ScheduledExecutorService timer;
    private volatile Set<InetAddress> current;

    private HostAddresses(Callable<Set<InetAddress>> source, @Nullable Duration refresh) {
        this.source = source;
        this.current = Set.of();
        refresh();
        if (refresh == null) {
            timer = null;
        } else {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "egress-host-addresses");
                t.setDaemon(true);
                return t;
            });
            long ms = refresh.toMillis();
            timer.scheduleWithFixedDelay(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** No addresses: the egress listens on specific addresses only. */
    public static HostAddresses none() {
        return new HostAddresses(Set::of, null);
    }

    /** The interfaces' addresses, re-read every {@code refresh}. */
    public static HostAddresses watch(Duration refresh) {
        return new HostAddresses(HostAddresses::interfaces, refresh);
    }

    /** Addresses from {@code source}, read now and on {@link #refresh()} only (tests). */
    static HostAddresses of(Callable<Set<InetAddress>> source) {
        return new HostAddresses(source, null);
    }

    /** Re-reads the addresses; a failure keeps the last set (and is logged). */
    void refresh() {
        try {
            Set<InetAddress> next = Set.copyOf(source.call());
            if (!next.equals(current)) {
                LOG.debug("host addresses now {}", next);
                current = next;
            }
        } catch (Exception e) {
            LOG.warn("cannot list the host's addresses, keeping the last {}: {}", current.size(), e.toString());
        }
    }

    /** Whether {@code a} is one of the host's addresses (ignoring any IPv6 zone). */
    public boolean contains(InetAddress a) {
        return current.contains(withoutZone(a));
    }

    /** The current set. */
    public Set<InetAddress> addresses() {
        return current;
    }

    static Set<InetAddress> interfaces() throws SocketException {
        Set<InetAddress> out = new HashSet<>();
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InterfaceAddress a : n.getInterfaceAddresses()) {
                out.add(withoutZone(a.getAddress()));
            }
        }
        return out;
    }

    static InetAddress withoutZone(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
