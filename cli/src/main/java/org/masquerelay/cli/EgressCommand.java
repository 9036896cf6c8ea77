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
import org.masquerelay.config.ConfigException;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "egress", description = "Run an egress relay.")
final class EgressCommand extends RelayCommand<EgressConfig> {
    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Override
    EgressConfig load(Path file) throws ConfigException {
        return EgressConfig.load(file);
    }

    @Override
    Map.Entry<String, InetSocketAddress> quicListener(EgressConfig c) {
        return Map.entry("egress", c.listenAddress());
    }

    @Override
    Runnable start(EgressConfig c) throws Exception {
        EgressServer server = EgressServer.start(c, threads.threads());
        banner("egress", server.quicAddress(), server.adminAddress());
        serving(server);
        // The drain deadline of the config in force at SIGTERM: a reload may have changed it.
        return () -> server.drainAndClose(server.config().drainTimeoutOrDefault());
    }
}
