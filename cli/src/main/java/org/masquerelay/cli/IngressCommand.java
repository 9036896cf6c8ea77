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
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigException;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.server.SocketHandover;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingress", description = "Run an ingress relay.")
final class IngressCommand extends RelayCommand<IngressConfig> {
    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(
            names = "--upgrade-socket",
            paramLabel = "PATH",
            description = "A Unix socket (mode 0600, in an existing directory) on which a newer ingress started with"
                    + " --upgrade takes this one's listening sockets (docs/architecture.md §7.1). Linux"
                    + " (epoll) only.")
    @Nullable
    Path upgradeSocket;

    @Option(
            names = "--upgrade",
            description = "Take the listening sockets from the ingress running with the same --upgrade-socket, which"
                    + " then drains and exits, instead of binding them.")
    boolean upgrade;

    @Override
    IngressConfig load(Path file) throws ConfigException {
        return IngressConfig.load(file);
    }

    @Override
    Map.Entry<String, InetSocketAddress> quicListener(IngressConfig c) {
        return Map.entry("ingress", c.listenAddress());
    }

    @Override
    Runnable start(IngressConfig c) throws Exception {
        SocketHandover.Settings handover = null;
        Path socket = upgradeSocket;
        if (upgrade && socket == null) {
            throw new IllegalArgumentException(
                    "--upgrade needs --upgrade-socket PATH: the Unix socket the running ingress was started with");
        }
        if (socket != null) {
            // After a handover this process drains the way SIGTERM makes it: the shutdown hook runs the drain.
            handover = new SocketHandover.Settings(socket, upgrade, () -> System.exit(0));
        }
        IngressServer server = IngressServer.start(c, threads.threads(), handover);
        banner("ingress", server.quicAddress(), server.adminAddress());
        serving(server);
        // The drain deadline of the config in force at SIGTERM: a reload may have changed it.
        return () -> server.drainAndClose(server.config().drainTimeoutOrDefault());
    }
}
