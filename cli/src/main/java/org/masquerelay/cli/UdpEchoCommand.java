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

import java.util.concurrent.Callable;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.client.UdpEchoProbe;
import org.masquerelay.protocol.uri.MalformedTargetException;
import org.masquerelay.protocol.uri.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "udp-echo", description = "Send datagrams through both hops to a UDP echo server.")
final class UdpEchoCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "HOST:PORT of the echo server")
    String target;

    @Mixin
    ClientOptions client;

    @Option(names = "--count", defaultValue = "100")
    int count;

    @Option(names = "--size", defaultValue = "1200", description = "UDP payload bytes (8-1280)")
    int size;

    @Option(
            names = "--window",
            defaultValue = "8",
            description = "Datagrams in flight at most (1 = ping-pong); paces the probe so it "
                    + "measures the path, not its own queue.")
    int window;

    @Option(
            names = "--loss-timeout-millis",
            defaultValue = "1000",
            description = "A datagram unanswered this long counts as lost.")
    long lossTimeoutMillis;

    @Override
    public Integer call() {
        if (size < 8 || size > 1280 || count < 1 || window < 1) {
            System.err.println("error: --size must be 8-1280, --count and --window at least 1");
            return 2;
        }
        Target a;
        try {
            a = Target.parse(target);
        } catch (MalformedTargetException | IllegalArgumentException e) {
            System.err.println("error: " + target + ": " + e.getMessage() + " (expected: host:port)");
            return 2;
        }
        try (MasqueClient c = client.newClient()) {
            UdpEchoProbe.Result r = UdpEchoProbe.run(c, a.host(), a.port(), count, size, window, lossTimeoutMillis);
            // One write: printf writes each piece on its own, and a relay sharing the terminal or log
            // could land between them.
            System.out.print(String.format(
                    "sent %d received %d (%.2f%%) rtt p50 %.0f us p99 %.0f us%n",
                    r.sent(), r.received(), 100.0 * r.deliveredRatio(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3));
            return r.received() > 0 ? 0 : 1;
        } catch (Exception e) {
            return client.fail(e);
        }
    }
}
