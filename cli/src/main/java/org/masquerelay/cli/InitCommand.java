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
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code masque init DIR}: writes the loopback deployment of {@link LoopbackDeployment} and prints
 * the commands that run it, in the order they must start: issuer, egress, ingress, the test
 * origin (HTTP and UDP echo), then a fetch and a UDP probe through both hops. Each default port
 * that is already taken is replaced by a free one, and the printed commands name the ports
 * actually written.
 */
@Command(
        name = "init",
        description = "Write a ready-to-run loopback deployment (configs, CA, certificates, issuer keys, "
                + "geo database and city pools) and print the commands that run it.")
final class InitCommand implements Callable<Integer> {
    /** The test origin's default HTTP port, the one README.md's commands fetch from. */
    static final int ORIGIN_HTTP_PORT = 8000;

    /** The test origin's default UDP echo port. */
    static final int ORIGIN_UDP_PORT = 8007;

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory to write into (created if missing).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            System.err.println("error: " + dir + " is a file, not a directory; give init a new or empty directory");
            return 1;
        }
        if (Files.exists(dir.resolve("ingress.yaml")) || Files.exists(dir.resolve("egress.yaml"))) {
            System.err.println("error: " + dir + " already holds a deployment; refusing to overwrite keys "
                    + "(remove it or choose another directory)");
            return 1;
        }
        LoopbackDeployment.Ports d = LoopbackDeployment.Ports.DEFAULT;
        LoopbackDeployment.Ports ports = new LoopbackDeployment.Ports(
                udp("127.0.0.1", d.ingress()),
                udp(LoopbackDeployment.EGRESS_HOST, d.egress()),
                tcp("127.0.0.1", d.ingressAdmin()),
                tcp(LoopbackDeployment.EGRESS_HOST, d.egressAdmin()),
                tcp("127.0.0.1", d.issuer()));
        int http = tcp("127.0.0.1", ORIGIN_HTTP_PORT);
        int udp = udp("127.0.0.1", ORIGIN_UDP_PORT);
        try {
            // The egress may reach the test origin's two ports and nothing else on loopback: not
            // the ingress, the issuer, nor its own listeners.
            LoopbackDeployment.write(dir, ports, null, LoopbackDeployment.origins(http, udp));
        } catch (FileSystemException e) {
            System.err.println("error: cannot write " + dir + ": " + e.getMessage());
            return 1;
        }
        if (!ports.equals(d) || http != ORIGIN_HTTP_PORT || udp != ORIGIN_UDP_PORT) {
            System.err.println("note: some default ports were in use; the commands below name the free ones chosen");
        }
        System.out.print(nextSteps(launcher(), dir, ports, http, udp));
        return 0;
    }

    /**
     * The commands that run the deployment in one shell, in order: the four servers in the
     * background, a wait until each listens, then a fetch and a UDP probe through both hops.
     */
    static String nextSteps(String masque, Path dir, LoopbackDeployment.Ports p, int http, int udp) {
        String e = LoopbackDeployment.EGRESS_HOST;
        return """
                wrote %2$s: issuer.yaml egress.yaml ingress.yaml client.yaml, a CA and keys, geo.csv and pool.yaml
                Run it (in one shell, in this order; stop it all with: kill $(jobs -p)):
                  %1$s issuer  --config %2$s/issuer.yaml &
                  %1$s egress  --config %2$s/egress.yaml &
                  %1$s ingress --config %2$s/ingress.yaml &
                  %1$s origin  --listen 127.0.0.1:%3$d --udp-echo 127.0.0.1:%4$d &
                  %1$s wait 127.0.0.1:%5$d %6$s:%7$d 127.0.0.1:%8$d 127.0.0.1:%3$d
                  %1$s fetch http://127.0.0.1:%3$d/ --config %2$s/client.yaml
                  %1$s udp-echo 127.0.0.1:%4$d --config %2$s/client.yaml --count 1000
                """.formatted(masque, dir, http, udp, p.issuer(), e, p.egressAdmin(), p.ingressAdmin());
    }

    /** How the user started us: {@code ./masque} sets {@code masque.launcher}; otherwise the installed name. */
    static String launcher() {
        return System.getProperty("masque.launcher", "masque");
    }

    /** {@code port} if a UDP socket can bind it on {@code host}, else a free port there. */
    static int udp(String host, int port) throws IOException {
        InetAddress a = InetAddress.getByName(host);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, port))) {
            return port;
        } catch (IOException taken) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, 0))) {
                return s.getLocalPort();
            }
        }
    }

    /** {@code port} if a TCP listener can bind it on {@code host}, else a free port there. */
    static int tcp(String host, int port) throws IOException {
        InetAddress a = InetAddress.getByName(host);
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(a, port), 1);
            return port;
        } catch (IOException taken) {
            try (ServerSocket s = new ServerSocket(0, 1, a)) {
                return s.getLocalPort();
            }
        }
    }
}
