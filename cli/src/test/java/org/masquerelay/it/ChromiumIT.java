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
import static org.masquerelay.it.LoopbackRelays.TARGET;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.proxy.ProxyServer;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * Debian's headless Chromium loads a page of {@value #IMAGES} images and {@value #SCRIPTS}
 * scripts from two origins through the SOCKS5 listener and both hops. The page counts load and
 * error events and writes the result into its DOM, which {@code --dump-dom} prints after the load
 * event; both origins must have seen only the egress's source address. Chromium must be installed
 * ({@code .ci/run} installs it); a missing browser fails, it never skips.
 */
class ChromiumIT {
    static final int IMAGES = 30;
    static final int SCRIPTS = 24;
    static final InetAddress SECOND_TARGET = LoopbackRelays.addr("127.0.0.98");

    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    static String chromium() {
        return ExternalClients.require("Chromium", List.of("chromium", "chromium-browser"), "chromium");
    }

    @Test
    void headlessChromiumLoadsEverySubresourceOfTwoOriginsThroughSocks5() throws Exception {
        String browser = chromium();
        Path site = Files.createDirectories(relays.dir().resolve("site"));
        Files.writeString(
                site.resolve("dot.svg"),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"><rect width=\"4\" height=\"4\"/></svg>");
        Files.writeString(site.resolve("count.js"), "window.ran = (window.ran || 0) + 1;\n");
        try (HttpOrigin first = new HttpOrigin(new InetSocketAddress(TARGET, 0), site);
                HttpOrigin second = new HttpOrigin(new InetSocketAddress(SECOND_TARGET, 0), site);
                ProxyServer proxy = relays.startProxy(true, false, null, 100)) {
            Files.writeString(site.resolve("index.html"), page(first, second));
            Path profile = Files.createDirectories(relays.dir().resolve("chromium-profile"));
            Path stderr = relays.dir().resolve("chromium.err");
            InetSocketAddress socks = proxy.socksAddress();
            Process p = new ProcessBuilder(
                            browser,
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--disable-quic",
                            "--user-data-dir=" + profile,
                            "--proxy-server=socks5://" + socks.getAddress().getHostAddress() + ":" + socks.getPort(),
                            // Without this, Chromium sends loopback origins direct, bypassing the proxy.
                            "--proxy-bypass-list=<-loopback>",
                            "--dump-dom",
                            first.uri("/files/index.html").toString())
                    .redirectError(stderr.toFile())
                    .start();
            byte[] dom;
            try {
                dom = p.getInputStream().readAllBytes();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    fail("chromium did not finish");
                }
            } finally {
                p.destroyForcibly();
            }
            String html = new String(dom, StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("loaded=(\\d+) failed=(\\d+) scripts=(\\d+)")
                    .matcher(html);
            assertThat(m.find())
                    .as("the page's result in the dumped DOM; chromium said:\n%s", Files.readString(stderr))
                    .isTrue();
            assertThat(Integer.parseInt(m.group(2))).as("failed subresources").isZero();
            assertThat(Integer.parseInt(m.group(1))).as("loaded subresources").isEqualTo(IMAGES + SCRIPTS);
            assertThat(Integer.parseInt(m.group(3))).as("scripts that ran").isEqualTo(SCRIPTS);
            for (HttpOrigin o : List.of(first, second)) {
                assertThat(o.peers())
                        .as("connections to %s", o.localAddress())
                        .isNotEmpty()
                        .allSatisfy(peer -> assertThat(peer.getAddress()).isEqualTo(EGRESS_SOURCE));
            }
        }
    }

    /** Half of each kind from each origin; every URL distinct, so nothing comes from the cache. */
    static String page(HttpOrigin first, HttpOrigin second) {
        StringBuilder b = new StringBuilder("<!doctype html><html><head><title>proxy test</title>\n"
                + "<script>var ok = 0, bad = 0; function k() { ok++; } function e() { bad++; }</script>\n"
                + "</head><body>\n");
        for (int i = 0; i < IMAGES; i++) {
            HttpOrigin o = i % 2 == 0 ? first : second;
            b.append("<img src=\"")
                    .append(o.uri("/files/dot.svg?i=" + i))
                    .append("\" onload=\"k()\" onerror=\"e()\">\n");
        }
        for (int i = 0; i < SCRIPTS; i++) {
            HttpOrigin o = i % 2 == 0 ? first : second;
            b.append("<script src=\"")
                    .append(o.uri("/files/count.js?i=" + i))
                    .append("\" onload=\"k()\" onerror=\"e()\"></script>\n");
        }
        b.append("<div id=\"result\">pending</div>\n<script>window.addEventListener('load', function () {\n"
                + "  document.getElementById('result').textContent =\n"
                + "      'loaded=' + ok + ' failed=' + bad + ' scripts=' + (window.ran || 0);\n"
                + "});</script>\n</body></html>\n");
        return b.toString();
    }
}
