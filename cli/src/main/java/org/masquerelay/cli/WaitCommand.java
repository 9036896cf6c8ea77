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
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Callable;
import org.masquerelay.config.Addresses;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code masque wait IP:PORT...}: returns once every address accepts a TCP connection, so a
 * script that starts the issuer, the relays and the origin in the background can go on when they
 * listen. Each of them has a TCP listener (the relays' admin listener opens after their QUIC
 * socket is bound); the connection is closed at once, without a request.
 */
@Command(
        name = "wait",
        description = "Wait until every IP:PORT accepts a TCP connection (a server started in the "
                + "background is up); exit 1 if one does not within the timeout.")
final class WaitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IP:PORT", description = "TCP listeners to wait for.")
    List<String> addresses;

    @Option(names = "--timeout-seconds", defaultValue = "60", description = "Give up after this long.")
    int timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        for (String text : addresses) {
            InetSocketAddress address;
            try {
                address = Addresses.socketAddress(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), text + ": " + e.getMessage());
            }
            while (!accepts(address)) {
                if (System.nanoTime() - deadline > 0) {
                    System.err.println(
                            "error: nothing listens on " + text + " after " + timeoutSeconds + " s (is it started?)");
                    return 1;
                }
                Thread.sleep(100);
            }
        }
        return 0;
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
