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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;

/**
 * The Prometheus alert rules and the Grafana dashboard under {@code deploy/} name only metrics
 * the relays export: every {@code masque_*} name in their expressions appears on a live relay's
 * {@code GET /metrics}, scraped over HTTP from its admin listener. Both files parse; where
 * {@code promtool} (Debian's {@code prometheus} package) is installed, {@code promtool check
 * rules} must pass too.
 *
 * <p>Traffic makes most series appear: a fetch through both hops (connections, tunnels, flows,
 * bytes) and a request for a prohibited target (an egress error). The labelled families a
 * healthy loopback run never increments (ingress errors, challenges, drops, refusals) are
 * incremented once through the relays' own {@code RelayMetrics}, so what is checked is the name
 * the exporter writes, not traffic.
 */
class MonitoringIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    private static final Pattern METRIC = Pattern.compile("\\bmasque_[a-z0-9_]+");

    @Test
    void alertRulesAndDashboardNameOnlyExportedMetrics() throws Exception {
        try (MasqueClient client = relays.newClient()) {
            HttpFetcher.Result ok = HttpFetcher.fetch(
                            client, relays.origin().uri("/bytes/1000"), OutputStreamSink.INSTANCE, false)
                    .get(60, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo(200);
            // 10.0.0.1 is private, so prohibited: an egress error response.
            assertThat(HttpFetcher.fetch(client, URI.create("http://10.0.0.1/"), OutputStreamSink.INSTANCE, false)
                            .handle((r, e) -> e)
                            .get(60, TimeUnit.SECONDS))
                    .isNotNull();
        }
        relays.ingress().metrics().error("monitoring_it");
        relays.ingress().metrics().challenge("monitoring it");
        relays.ingress().metrics().datagramDropped("monitoring_it");
        relays.ingress().metrics().connectionRefused("monitoring_it");

        String exported =
                scrape(relays.ingress().adminAddress()) + scrape(relays.egress().adminAddress());
        Set<String> families = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^(masque_[a-z0-9_]+)").matcher(exported);
        while (m.find()) {
            families.add(m.group(1));
        }
        assertThat(families).contains("masque_ingress_connections", "masque_egress_flows_opened_total");
        // The process beside the relay: heap, threads, CPU, open files, uptime.
        assertThat(exported)
                .contains(
                        "jvm_memory_used_bytes{",
                        "jvm_threads_live_threads ",
                        "process_cpu_usage ",
                        "process_files_open_files ",
                        "process_uptime_seconds ");

        Path root = repositoryRoot();
        Path rules = root.resolve("deploy/prometheus/masque-alerts.yaml");
        Path dashboard = root.resolve("deploy/grafana/masque-dashboard.json");
        List<String> expressions = new ArrayList<>();
        JsonNode groups =
                new ObjectMapper(new YAMLFactory()).readTree(rules.toFile()).get("groups");
        assertThat(groups).as("groups of " + rules).isNotNull().isNotEmpty();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.get("rules")) {
                assertThat(rule.has("alert") && rule.has("expr"))
                        .as(rule.toString())
                        .isTrue();
                expressions.add(rule.get("expr").asText());
            }
        }
        JsonNode panels = new ObjectMapper().readTree(dashboard.toFile()).get("panels");
        assertThat(panels).as("panels of " + dashboard).isNotNull().isNotEmpty();
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.get("targets")) {
                expressions.add(target.get("expr").asText());
            }
        }
        Set<String> named = new TreeSet<>();
        for (String e : expressions) {
            Matcher n = METRIC.matcher(e);
            while (n.find()) {
                named.add(n.group());
            }
        }
        assertThat(named).hasSizeGreaterThan(5);
        assertThat(families).as("exported metric families").containsAll(named);

        Optional<String> promtool = ExternalClients.find(List.of("promtool"));
        if (promtool.isPresent()) {
            Process p = new ProcessBuilder(promtool.get(), "check", "rules", rules.toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
        }
    }

    private static String scrape(InetSocketAddress admin) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://"
                                        + admin.getAddress().getHostAddress() + ":" + admin.getPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/prometheus"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no deploy/prometheus above " + Path.of("").toAbsolutePath());
    }

    /** Discards a body. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
