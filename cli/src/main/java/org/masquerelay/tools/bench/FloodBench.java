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
package org.masquerelay.tools.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.tools.origin.HttpOrigin;

/**
 * {@code masque bench flood}: an established two-hop transfer and a new client's first fetch, quiet
 * and under a flood of forged Initials from spoofed addresses ({@link InitialFlood}), for two
 * ingress configurations in one run: the handshake budget as configured, and no budget (the
 * baseline: Retry only per busy address or at half capacity). Both relays run in JVMs of their own
 * with one event loop each; the client, the origin and the flood run in this JVM. Quiet and flooded
 * transfers alternate, and the report gives medians.
 */
public final class FloodBench {
    /** What one configuration measured: medians over the runs. */
    public record Result(
            String arm,
            double quietMBps,
            double floodMBps,
            double quietNewClientMillis,
            double floodNewClientMillis,
            int failures,
            double floodRate,
            double retriesPerSecond,
            double quietIngressCores,
            double floodIngressCores) {}

    private FloodBench() {}

    /**
     * @param dir a loopback deployment (no tokens, no geo) whose ingress.yaml has a {@code limits:}
     *     block; rewritten per arm
     * @param budget the handshake budget of the first arm (the second arm has none)
     */
    public static Result[] run(
            Path dir,
            InetSocketAddress ingress,
            InetSocketAddress ingressAdmin,
            int egressPort,
            HttpOrigin origin,
            int budget,
            int rate,
            int addresses,
            long bytes,
            int runs,
            PrintStream log)
            throws Exception {
        String yaml = Files.readString(dir.resolve("ingress.yaml"));
        if (!yaml.contains("\nlimits:\n")) {
            throw new IllegalArgumentException(dir.resolve("ingress.yaml") + " has no limits: block");
        }
        Result[] results = new Result[2];
        try (InitialFlood flood = new InitialFlood(ingress, rate, addresses, 4 * rate, 42)) {
            int[] budgets = {budget, Integer.MAX_VALUE};
            for (int a = 0; a < budgets.length; a++) {
                String arm = budgets[a] == Integer.MAX_VALUE ? "no budget" : "budget " + budgets[a] + "/s";
                Files.writeString(
                        dir.resolve("ingress.yaml"),
                        yaml.replace("\nlimits:\n", "\nlimits:\n  handshakes-per-second: " + budgets[a] + "\n"));
                try (IdleTunnels.Child egress = IdleTunnels.Child.start(dir, "egress", egressPort);
                        IdleTunnels.Child in = IdleTunnels.Child.start(dir, "ingress", ingress.getPort())) {
                    results[a] = arm(arm, dir, ingressAdmin, in, origin, flood, bytes, runs, log);
                }
            }
        } finally {
            Files.writeString(dir.resolve("ingress.yaml"), yaml);
        }
        return results;
    }

    /** One quiet and one flooded round of an arm. */
    private record Round(
            double quiet,
            double flooded,
            double quietNew,
            double floodNew,
            boolean failed,
            double rate,
            double retryRate,
            double quietCores,
            double floodCores) {}

    private static Result arm(
            String arm,
            Path dir,
            InetSocketAddress admin,
            IdleTunnels.Child ingress,
            HttpOrigin origin,
            InitialFlood flood,
            long bytes,
            int runs,
            PrintStream log)
            throws Exception {
        ClientConfig config = ClientConfig.load(dir.resolve("client.yaml"));
        List<Round> rounds = new ArrayList<>();
        MasqueClient established = new MasqueClient(config, false, null);
        try {
            transfer(established, origin, 1 << 20); // sessions up, JIT warm
            WarmUp warm = new WarmUp();
            for (int round = 0; round < 10 && !warm.settled(); round++) {
                warm.add(transfer(established, origin, bytes));
            }
            log.printf(Locale.ROOT, "%-12s warm-up %s%n", arm, warm.describe());
            for (int i = 0; i < runs; i++) {
                double cpu = ingress.cpuSeconds();
                long q0 = System.nanoTime();
                double quiet = transfer(established, origin, bytes);
                double quietNew = newClientMillis(config, origin);
                double quietCores = (ingress.cpuSeconds() - cpu) / ((System.nanoTime() - q0) / 1e9);
                double retries = retries(admin);
                cpu = ingress.cpuSeconds();
                double floodNew = Double.POSITIVE_INFINITY;
                double flooded = 0;
                boolean failed = false;
                flood.start();
                long t0 = System.nanoTime();
                try {
                    Thread.sleep(1000); // the flood at full rate first
                    floodNew = newClientMillis(config, origin);
                    flooded = transfer(established, origin, bytes);
                } catch (Exception e) {
                    // The established session died under the flood, or the new client was locked
                    // out: a result, not an error. Counted, and the next round gets a new session.
                    failed = true;
                    log.printf(Locale.ROOT, "%-12s run %d failed under the flood: %s%n", arm, i + 1, e);
                } finally {
                    flood.stop();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                Round r = new Round(
                        quiet,
                        flooded,
                        quietNew,
                        floodNew,
                        failed,
                        flood.achievedRate(),
                        (retries(admin) - retries) / seconds,
                        quietCores,
                        (ingress.cpuSeconds() - cpu) / seconds);
                rounds.add(r);
                log.printf(
                        Locale.ROOT,
                        "%-12s run %d: quiet %.1f MB/s, flood %.1f MB/s; new client %.0f / %.0f ms; %.0f Initials/s,"
                                + " %.0f Retry/s; ingress CPU %.0f%% / %.0f%% of a core%n",
                        arm,
                        i + 1,
                        r.quiet(),
                        r.flooded(),
                        r.quietNew(),
                        r.floodNew(),
                        r.rate(),
                        r.retryRate(),
                        r.quietCores() * 100,
                        r.floodCores() * 100);
                Thread.sleep(2000); // the flood's half-open connections time out or drain
                if (failed && !alive(established, origin)) {
                    established.close();
                    established = new MasqueClient(config, false, null);
                }
            }
        } finally {
            established.close();
        }
        return new Result(
                arm,
                median(rounds, Round::quiet),
                median(rounds, Round::flooded),
                median(rounds, Round::quietNew),
                median(rounds, Round::floodNew),
                (int) rounds.stream().filter(Round::failed).count(),
                median(rounds, Round::rate),
                median(rounds, Round::retryRate),
                median(rounds, Round::quietCores),
                median(rounds, Round::floodCores));
    }

    private static boolean alive(MasqueClient client, HttpOrigin origin) {
        try {
            transfer(client, origin, 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** One download through both hops, in MB/s. */
    private static double transfer(MasqueClient client, HttpOrigin origin, long bytes) throws Exception {
        HttpFetcher.Result r = HttpFetcher.fetch(
                        client, origin.uri("/bytes/" + bytes), OutputStream.nullOutputStream(), false)
                .get(2, TimeUnit.MINUTES);
        if (r.status() != 200 || r.bodyBytes() != bytes) {
            throw new IllegalStateException("fetch answered " + r.status() + " with " + r.bodyBytes() + " bytes");
        }
        return bytes / (r.nanos() / 1e9) / 1e6;
    }

    /** A new client: QUIC handshakes with both hops, then a small fetch. */
    private static double newClientMillis(ClientConfig config, HttpOrigin origin) throws Exception {
        long t = System.nanoTime();
        try (MasqueClient fresh = new MasqueClient(config, false, null)) {
            transfer(fresh, origin, 1000);
        }
        return (System.nanoTime() - t) / 1e6;
    }

    private static final Pattern RETRIES = Pattern.compile("(?m)^masque_ingress_address_validation_retries (\\S+)");

    private static double retries(InetSocketAddress admin) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://"
                                        + admin.getAddress().getHostAddress() + ":" + admin.getPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher m = RETRIES.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("no masque_ingress_address_validation_retries at " + admin);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double median(List<Round> rounds, ToDoubleFunction<Round> field) {
        double[] s = rounds.stream().mapToDouble(field).sorted().toArray();
        return s.length == 0
                ? Double.NaN
                : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
