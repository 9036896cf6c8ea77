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
package org.masquerelay.cli;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigException;
import org.masquerelay.server.BindFailure;
import org.masquerelay.server.Relay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * The shape of {@code masque ingress} and {@code masque egress}: load and validate the config
 * (every error with its YAML path, exit 78), stop there with {@code --check-config}, otherwise
 * run until SIGTERM or SIGINT, then GOAWAY, drain and exit.
 */
abstract class RelayCommand<C> implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RelayCommand.class);

    @Option(names = "--config", required = true, description = "The relay's YAML config.")
    Path config;

    @Option(names = "--check-config", description = "Validate the config, print every error, exit 78 or 0.")
    boolean checkConfig;

    abstract C load(Path file) throws ConfigException;

    /** The running relay that SIGHUP reloads; null for a server that does not reload. */
    private volatile @Nullable Relay<C> running;

    /** Called by {@link #start} with the relay SIGHUP should reload. */
    final void serving(Relay<C> relay) {
        running = relay;
    }

    /** Starts the relay and returns what SIGTERM runs: GOAWAY, drain with the deadline, close. */
    abstract Runnable start(C config) throws Exception;

    /** The role and QUIC address, for naming a QUIC listener that cannot bind; null without one. */
    Map.@Nullable Entry<String, InetSocketAddress> quicListener(C config) {
        return null;
    }

    @Override
    public final Integer call() throws Exception {
        C c;
        try {
            c = load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return MasqueCli.EX_CONFIG;
        }
        if (checkConfig) {
            System.out.println(config + ": ok");
            return 0;
        }
        Runnable drain;
        try {
            drain = start(c);
        } catch (Exception e) {
            System.err.println("error: " + startFailure(e, quicListener(c)));
            if (Boolean.getBoolean("masque.debug")) {
                e.printStackTrace();
            }
            return 1;
        }
        onSighup();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            drain.run();
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * SIGHUP re-reads and validates the config file and applies it to new tunnels (docs/architecture.md
     * §7); open ones carry on. An invalid file changes nothing: the error is logged and shown by
     * {@code /healthz}. Without a handler the JVM would exit with 129. {@code sun.misc.Signal} is
     * the only way to catch a signal on JDK 17 (module jdk.unsupported, exported and supported
     * for this use); reloads run one at a time on their own thread, never on the signal thread.
     */
    private void onSighup() {
        ExecutorService reloader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "config-reload");
            t.setDaemon(true);
            return t;
        });
        Signal.handle(new Signal("HUP"), sig -> reloader.execute(this::reload));
    }

    private void reload() {
        Relay<C> relay = running;
        if (relay == null) {
            log.warn("SIGHUP: this server does not reload its config; restart it to apply changes");
            return;
        }
        C next;
        try {
            next = load(config);
        } catch (ConfigException e) {
            String why = String.join("; ", e.errors());
            log.error("SIGHUP: {} is not valid, still serving the previous config: {}", config, why);
            relay.reloadFailed(config + ": " + why);
            return;
        }
        if (relay.reload(next)) {
            log.info("SIGHUP: reloaded {}; new tunnels use it, open ones carry on", config);
        } else {
            log.error("SIGHUP: {} cannot be applied, still serving the previous config", config);
        }
    }

    /**
     * One line for a server that did not start. A listener that could not bind says which one
     * and where (the admin and issuer listeners word it themselves; a QUIC socket's native error
     * does not name the address, so it is named here); anything else gives its message.
     */
    static String startFailure(Throwable e, Map.@Nullable Entry<String, InetSocketAddress> quic) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof BindException && m != null && m.contains(": cannot bind ")) {
                return m;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (quic != null
                    && m != null
                    && (m.contains("bind(") || m.contains("Address already in use") || t instanceof BindException)) {
                return String.valueOf(BindFailure.of(quic.getKey() + " QUIC listener", "UDP", quic.getValue(), t)
                        .getMessage());
            }
        }
        String m = e.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }

    static void banner(String role, InetSocketAddress quic, @Nullable InetSocketAddress admin) {
        System.err.println(role + " relay on " + quic + " (QUIC/HTTP3)"
                + (admin == null
                        ? ""
                        : ", admin http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort()));
    }
}
