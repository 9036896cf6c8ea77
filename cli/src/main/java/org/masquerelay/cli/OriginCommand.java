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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.Addresses;
import org.masquerelay.tools.origin.HttpOrigin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code masque origin --listen IP:PORT [--listen IP:PORT]...}: the demo's and the integration
 * tests' {@link HttpOrigin} as a process of its own, for tests where the origin is another host
 * (deploy/netns-test.sh). {@code GET /whoami} answers the peer address the origin saw, which is
 * how a test checks which egress address it was given. Plain HTTP without authentication: for
 * tests only. Runs until SIGTERM or SIGINT.
 */
@Command(
        name = "origin",
        description = "Run the plain-HTTP test origin (GET /whoami returns the peer address; "
                + "GET /bytes/N, POST /echo) until SIGTERM. For tests only.")
final class OriginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--listen",
            required = true,
            paramLabel = "IP:PORT",
            description = "Address to listen on, ip:port or [v6]:port; repeat for several (both families, say).")
    List<String> listen;

    @Option(names = "--files", paramLabel = "DIR", description = "Directory served under /files/.")
    @Nullable
    Path files;

    @Override
    public Integer call() throws Exception {
        List<HttpOrigin> origins = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            origins.forEach(HttpOrigin::close);
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }

    /** Binds every {@code --listen} address, or none: on a failure it closes what it opened. */
    List<HttpOrigin> start() throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String s : listen) {
            try {
                addresses.add(Addresses.socketAddress(s));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + s + ": " + e.getMessage());
            }
        }
        List<HttpOrigin> origins = new ArrayList<>();
        try {
            for (InetSocketAddress a : addresses) {
                HttpOrigin origin = new HttpOrigin(a, files);
                origins.add(origin);
                System.err.println("origin on " + origin.uri("/whoami"));
            }
        } catch (IOException | RuntimeException e) {
            origins.forEach(HttpOrigin::close);
            throw e;
        }
        return origins;
    }
}
