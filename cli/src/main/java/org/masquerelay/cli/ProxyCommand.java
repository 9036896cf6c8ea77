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

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.proxy.ClientPool;
import org.masquerelay.proxy.ProxyConfig;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.proxy.SocksCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code masque proxy}: local SOCKS5 and/or HTTP proxy listeners whose flows go through both
 * hops. Runs until SIGTERM or SIGINT, then stops accepting, drains open flows up to the deadline
 * and exits.
 */
@Command(name = "proxy", description = "Local SOCKS5 (RFC 1928) and HTTP proxy whose flows go through both hops.")
final class ProxyCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--socks", paramLabel = "IP:PORT", description = "SOCKS5 listener, e.g. 127.0.0.1:1080.")
    @Nullable
    String socks;

    @Option(names = "--http", paramLabel = "IP:PORT", description = "HTTP proxy listener, e.g. 127.0.0.1:8080.")
    @Nullable
    String http;

    @Option(
            names = "--socks-auth",
            paramLabel = "FILE",
            description = "Require SOCKS5 username/password (RFC 1929); FILE holds user:password lines.")
    @Nullable
    Path socksAuth;

    @Option(
            names = "--max-streams-per-connection",
            defaultValue = "100",
            description = "Flows per relay connection before another is opened (default ${DEFAULT-VALUE}).")
    int maxStreams;

    @Option(
            names = "--connect-timeout-seconds",
            defaultValue = "30",
            description = "How long a flow waits for the egress's answer (default ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds;

    @Option(
            names = "--drain-timeout-seconds",
            defaultValue = "10",
            description = "On SIGTERM, how long open flows may finish (default ${DEFAULT-VALUE}).")
    int drainTimeoutSeconds;

    @Option(names = "--stats", paramLabel = "SECONDS", description = "Print a status line to stderr this often.")
    @Nullable
    Integer statsSeconds;

    @Override
    public Integer call() throws Exception {
        ProxyConfig config;
        try {
            config = config();
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return MasqueCli.EX_CONFIG;
        }
        ClientPool pool;
        try {
            pool = new ClientPool(client::newClient, config.maxStreamsPerConnection(), config.openTimeout());
        } catch (Exception e) {
            return client.fail(e);
        }
        ProxyServer server;
        try {
            server = ProxyServer.start(config, pool);
        } catch (RuntimeException e) {
            return ClientOptions.report(e.getCause() != null ? e.getCause() : e);
        }
        System.err.println(
                "masque proxy: socks5 " + show(server.socksAddress()) + ", http " + show(server.httpAddress()));
        ScheduledExecutorService ticker = null;
        if (statsSeconds != null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "proxy-stats");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(
                    () -> System.err.println(server.stats().statusLine()),
                    statsSeconds,
                    statsSeconds,
                    TimeUnit.SECONDS);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ScheduledExecutorService t = ticker;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.err.println("masque proxy: draining (up to " + drainTimeoutSeconds + " s)");
                            server.drainAndClose(Duration.ofSeconds(drainTimeoutSeconds));
                            if (t != null) {
                                t.shutdownNow();
                            }
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }

    /** Every option error at once, before anything binds. */
    ProxyConfig config() throws ConfigException {
        ConfigErrors errors = new ConfigErrors();
        InetSocketAddress socksAddress =
                socks == null ? null : errors.parse("--socks", socks, Addresses::socketAddress, "ip:port");
        InetSocketAddress httpAddress =
                http == null ? null : errors.parse("--http", http, Addresses::socketAddress, "ip:port");
        errors.check(statsSeconds == null || statsSeconds >= 1, "--stats", statsSeconds, ">= 1 second");
        errors.check(drainTimeoutSeconds >= 0, "--drain-timeout-seconds", drainTimeoutSeconds, ">= 0");
        errors.check(connectTimeoutSeconds >= 1, "--connect-timeout-seconds", connectTimeoutSeconds, ">= 1");
        errors.throwIfAny("proxy options");
        SocksCredentials credentials = socksAuth == null ? null : SocksCredentials.load(socksAuth);
        return ProxyConfig.of(
                socksAddress, httpAddress, credentials, maxStreams, Duration.ofSeconds(connectTimeoutSeconds));
    }

    private static String show(@Nullable InetSocketAddress a) {
        return a == null ? "off" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
