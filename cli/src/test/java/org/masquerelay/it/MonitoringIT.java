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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.tools.origin.HttpOrigin;

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
            // A name, so the egress resolves it (localhost, from /etc/hosts) and records its DNS
            // histogram: an origin on 127.0.0.1, where localhost points.
            try (HttpOrigin local = new HttpOrigin(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                URI named =
                        URI.create("http://localhost:" + local.localAddress().getPort() + "/bytes/1000");
                assertThat(HttpFetcher.fetch(client, named, OutputStreamSink.INSTANCE, false)
                                .get(60, TimeUnit.SECONDS)
                                .status())
                        .isEqualTo(200);
            }
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

        String promtool = ExternalClients.require("promtool", List.of("promtool"), "prometheus");
        Process p = new ProcessBuilder(promtool, "check", "rules", rules.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    /**
     * A real Prometheus server, as an operator would run it, scrapes both relays' admin listeners
     * and loads deploy/'s alert rules: both targets are up, the relay's counters and set-up
     * histograms answer PromQL, and every rule evaluates without an error.
     */
    @Test
    void aRealPrometheusScrapesBothRelaysAndEvaluatesEveryRule(@TempDir Path dir) throws Exception {
        String prometheus = ExternalClients.require("prometheus", List.of("prometheus"), "prometheus");
        try (MasqueClient client = relays.newClient()) {
            assertThat(HttpFetcher.fetch(client, relays.origin().uri("/bytes/1000"), OutputStreamSink.INSTANCE, false)
                            .get(60, TimeUnit.SECONDS)
                            .status())
                    .isEqualTo(200);
        }
        Path rules = repositoryRoot().resolve("deploy/prometheus/masque-alerts.yaml");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.writeString(
                dir.resolve("prometheus.yml"),
                String.join(
                        "\n",
                        "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                        "rule_files: ['" + rules + "']",
                        "scrape_configs:",
                        "  - job_name: masque-ingress",
                        "    static_configs: [{targets: ['"
                                + hostPort(relays.ingress().adminAddress()) + "']}]",
                        "  - job_name: masque-egress",
                        "    static_configs: [{targets: ['"
                                + hostPort(relays.egress().adminAddress()) + "']}]",
                        ""));
        Process server = new ProcessBuilder(
                        prometheus,
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        try {
            URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
            ObjectMapper json = new ObjectMapper();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String last = "";
            while (true) {
                assertThat(server.isAlive())
                        .as("prometheus exited: %s", Files.readString(dir.resolve("prometheus.log")))
                        .isTrue();
                try {
                    JsonNode targets =
                            json.readTree(get(api.resolve("targets"))).at("/data/activeTargets");
                    JsonNode groups = json.readTree(get(api.resolve("rules"))).at("/data/groups");
                    List<String> health = new ArrayList<>();
                    targets.forEach(t -> health.add(
                            t.get("scrapePool").asText() + "=" + t.get("health").asText()));
                    groups.forEach(g -> g.get("rules")
                            .forEach(r -> health.add(r.get("name").asText() + "="
                                    + r.get("health").asText()
                                    + r.path("lastError").asText(""))));
                    last = String.join(", ", health);
                    boolean ready = targets.size() == 2
                            && groups.size() > 0
                            && health.stream().allMatch(h -> h.endsWith("=up") || h.endsWith("=ok"));
                    if (ready
                            && !query(json, api, "masque_ingress_tunnels_opened_total")
                                    .isEmpty()) {
                        break;
                    }
                } catch (IOException e) {
                    last = "not answering yet: " + e.getMessage();
                }
                assertThat(System.nanoTime() < deadline)
                        .as("targets up and every rule healthy within 60 s; last seen: %s", last)
                        .isTrue();
                Thread.sleep(250);
            }
            assertThat(last).doesNotContain("=err", "=down");
            JsonNode opened = query(json, api, "sum(masque_ingress_tunnels_opened_total)");
            assertThat(opened.get(0).at("/value/1").asDouble()).isGreaterThanOrEqualTo(1);
            // The set-up histograms: buckets Prometheus can take a quantile from.
            for (String histogram : List.of("masque_ingress_setup_seconds", "masque_egress_setup_seconds")) {
                JsonNode median = query(json, api, "histogram_quantile(0.5, sum by (le) (" + histogram + "_bucket))");
                assertThat(median).as(histogram).hasSize(1);
                double seconds = median.get(0).at("/value/1").asDouble();
                assertThat(seconds).as(histogram + " median").isGreaterThan(0).isLessThan(30);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static JsonNode query(ObjectMapper json, URI api, String promql) throws IOException, InterruptedException {
        JsonNode answer =
                json.readTree(get(api.resolve("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))));
        assertThat(answer.get("status").asText()).as(promql + ": " + answer).isEqualTo("success");
        return answer.at("/data/result");
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(uri + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
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
