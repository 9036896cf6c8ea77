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
import org.masquerelay.tools.origin.UdpEchoServer;
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
        description = "Run the plain-HTTP test origin (GET / lists its routes, GET /whoami returns the peer "
                + "address; GET /bytes/N, POST /echo), and with --udp-echo a UDP echo target, until SIGTERM. "
                + "For tests only.")
final class OriginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--listen",
            paramLabel = "IP:PORT",
            description = "HTTP address to listen on, ip:port or [v6]:port; repeat for several (both families, say).")
    List<String> listen = new ArrayList<>();

    @Option(
            names = "--udp-echo",
            paramLabel = "IP:PORT",
            description = "Also answer every UDP datagram to this address with the same bytes (the target of "
                    + "masque udp-echo); repeatable.")
    List<String> udpEcho = new ArrayList<>();

    @Option(names = "--files", paramLabel = "DIR", description = "Directory served under /files/.")
    @Nullable
    Path files;

    @Override
    public Integer call() throws Exception {
        List<AutoCloseable> origins = new ArrayList<>(start());
        try {
            for (InetSocketAddress a : addresses("--udp-echo", udpEcho)) {
                UdpEchoServer echo = new UdpEchoServer(a);
                origins.add(echo);
                System.err.println(
                        "udp echo on " + echo.localAddress().getAddress().getHostAddress() + ":"
                                + echo.localAddress().getPort());
            }
        } catch (IOException | RuntimeException e) {
            closeAll(origins);
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            closeAll(origins);
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }

    /** Binds every {@code --listen} address, or none: on a failure it closes what it opened. */
    List<HttpOrigin> start() throws IOException {
        if (listen.isEmpty() && udpEcho.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Missing required option: '--listen=IP:PORT' or '--udp-echo=IP:PORT'");
        }
        List<InetSocketAddress> addresses = addresses("--listen", listen);
        addresses("--udp-echo", udpEcho); // refuses a bad address before anything binds
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

    private List<InetSocketAddress> addresses(String option, List<String> texts) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String s : texts) {
            try {
                addresses.add(Addresses.socketAddress(s));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " " + s + ": " + e.getMessage());
            }
        }
        return addresses;
    }

    private static void closeAll(List<AutoCloseable> servers) {
        for (AutoCloseable s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                System.err.println("origin: closing " + s + ": " + e);
            }
        }
    }
}
