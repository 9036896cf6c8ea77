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
package org.masquerelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.masquerelay.it.LoopbackRelays.EGRESS_SOURCE;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.proxy.SocksCredentials;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * Debian's curl (7.88) through the local proxy and both hops: 64 MiB byte-exact with
 * {@code --socks5-hostname}, {@code -x http://} (absolute-form) and {@code -p -x} (CONNECT), and
 * RFC 1929 credentials. curl must be installed ({@code .ci/run} installs it); a missing curl
 * fails, it never skips.
 */
class CurlIT {
    static final long SIZE = 64L << 20;

    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static ProxyServer proxy;
    static ProxyServer authProxy;
    static byte[] expectedSha256;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        requireCurl();
        work = relays.dir();
        proxy = relays.startProxy(true, true, null, 100);
        Path users = work.resolve("socks-users");
        Files.writeString(users, "# test users\nalice:s3cret:with:colons\nbob:hunter2\n");
        authProxy = relays.startProxy(true, false, SocksCredentials.load(users), 100);
        expectedSha256 = HttpOrigin.patternSha256(SIZE);
    }

    static void requireCurl() {
        ExternalClients.require("curl", List.of("curl"), "curl");
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Runs curl with {@code args}, the body to {@code out}; returns curl's exit code. */
    static int curl(Path out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "600", "-o", out.toString()));
        cmd.addAll(List.of(args));
        Path err = work.resolve("curl.err");
        Process p = new ProcessBuilder(cmd)
                .redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(11, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("curl did not finish: " + cmd);
        }
        if (p.exitValue() != 0) {
            System.err.println(
                    "curl " + cmd + " exited " + p.exitValue() + ": " + Files.readString(err, StandardCharsets.UTF_8));
        }
        return p.exitValue();
    }

    static byte[] sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return sha.digest();
    }

    private void download64MiB(String... proxyArgs) throws Exception {
        int peersBefore = relays.origin().peers().size();
        Path out = work.resolve("body");
        List<String> args = new ArrayList<>(List.of(proxyArgs));
        args.add("--fail");
        args.add(relays.origin().uri("/bytes/" + SIZE).toString());
        assertThat(curl(out, args.toArray(String[]::new))).isZero();
        assertThat(Files.size(out)).isEqualTo(SIZE);
        assertThat(sha256(out)).isEqualTo(expectedSha256);
        Files.delete(out);
        List<InetSocketAddress> peers = relays.origin().peers();
        assertThat(peers.subList(peersBefore, peers.size()))
                .as("curl's connection came from the egress")
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.getAddress()).isEqualTo(EGRESS_SOURCE));
    }

    @Test
    void socks5HostnameDownloads64MiBByteExact() throws Exception {
        download64MiB("--socks5-hostname", hostPort(proxy.socksAddress()));
    }

    @Test
    void httpProxyAbsoluteFormDownloads64MiBByteExact() throws Exception {
        download64MiB("-x", "http://" + hostPort(proxy.httpAddress()));
    }

    @Test
    void httpProxyConnectTunnelDownloads64MiBByteExact() throws Exception {
        download64MiB("-p", "-x", "http://" + hostPort(proxy.httpAddress()));
    }

    @Test
    void socksCredentialsAreCheckedRfc1929() throws Exception {
        Path out = work.resolve("small");
        String url = relays.origin().uri("/bytes/1000").toString();
        String socks = hostPort(authProxy.socksAddress());
        assertThat(curl(out, "--fail", "--socks5-hostname", socks, "--proxy-user", "alice:s3cret:with:colons", url))
                .isZero();
        assertThat(Files.size(out)).isEqualTo(1000);
        // CURLE_PROXY (97): the proxy refused the credentials or the method.
        assertThat(curl(out, "--fail", "--socks5-hostname", socks, "--proxy-user", "alice:wrong", url))
                .isEqualTo(97);
        assertThat(curl(out, "--fail", "--socks5-hostname", socks, url)).isEqualTo(97);
    }

    @Test
    void httpProxyPassesTheEgressRefusalThrough() throws Exception {
        Path out = work.resolve("refused");
        Path headers = work.resolve("headers");
        curl(out, "-D", headers.toString(), "-x", "http://" + hostPort(proxy.httpAddress()), "http://10.1.2.3/");
        String head = Files.readString(headers, StandardCharsets.ISO_8859_1);
        assertThat(head)
                .startsWith("HTTP/1.1 403")
                .containsIgnoringCase("proxy-status: egress; error=destination_ip_prohibited");
    }
}
