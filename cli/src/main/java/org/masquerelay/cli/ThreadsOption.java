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

import org.masquerelay.config.IoTransport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --threads N} for the QUIC relays: event loops, each with its own socket (docs/netty.md trap 8). */
final class ThreadsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** 0 until {@code --threads} is given; the default is worked out when a relay asks for it. */
    private int threads;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Event loops, each with its own QUIC socket on the listen address (SO_REUSEPORT);"
                    + " default: one per core on Linux (epoll), else 1.")
    void threads(int n) {
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), "--threads: " + n + " (expected: 1 or more)");
        }
        threads = n;
    }

    /**
     * {@code --threads}, or one per core where several sockets can share the port (only epoll
     * spreads flows across them here), else 1. Read lazily: a bad {@code masque.io} must fail the
     * relay that starts, not the construction of every command.
     */
    int threads() {
        if (threads > 0) {
            return threads;
        }
        return IoTransport.current().reusePort() ? Runtime.getRuntime().availableProcessors() : 1;
    }
}
