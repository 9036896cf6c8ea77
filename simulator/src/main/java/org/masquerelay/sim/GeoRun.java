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
package org.masquerelay.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigException;

/** {@code masque sim geo}: loads a scenario, runs its trials, writes every output and the summary. */
public final class GeoRun {
    /** What {@link #run} produced. */
    public record Result(Map<String, Object> summary, boolean allChecksPass, double seconds, long clients) {
        public double clientsPerSecond() {
            return seconds <= 0 ? 0 : clients / seconds;
        }
    }

    private GeoRun() {}

    /** Loads and checks every input, as {@code --check-config} does; throws with file, row and YAML path. */
    public static GeoModel check(Path scenarioFile, boolean perfectGeo) throws ConfigException {
        Scenario s = Scenario.load(scenarioFile);
        return GeoModel.open(
                s,
                GeoModel.Counts.of(s, null, null, null),
                perfectGeo,
                GeoModel.PRODUCTION_INGRESS,
                GeoModel.PRODUCTION_SOURCES,
                1);
    }

    /** Runs {@code scenarioFile} with the production ingress and egress. */
    public static Result run(
            Path scenarioFile,
            Path out,
            boolean perfectGeo,
            @Nullable Integer clients,
            @Nullable Integer trials,
            @Nullable Long seed,
            int threads)
            throws ConfigException, IOException {
        Scenario s = Scenario.load(scenarioFile);
        return run(
                scenarioFile,
                s,
                GeoModel.Counts.of(s, seed, trials, clients),
                out,
                perfectGeo,
                GeoModel.PRODUCTION_INGRESS,
                GeoModel.PRODUCTION_SOURCES,
                threads);
    }

    /** Runs a loaded scenario with the given ingress and source chooser (tests pass doubles). */
    public static Result run(
            Path scenarioFile,
            Scenario s,
            GeoModel.Counts counts,
            Path out,
            boolean perfectGeo,
            GeoModel.IngressFactory ingress,
            GeoModel.SourceChooser sources,
            int threads)
            throws ConfigException, IOException {
        long started = System.nanoTime();
        GeoModel model = GeoModel.open(s, counts, perfectGeo, ingress, sources, threads);
        GeoOutputs outputs = new GeoOutputs(s, model.registry().rotationPeriod());
        boolean pass = true;
        for (int t = 0; t < counts.trials(); t++) {
            TrialResult r;
            try (Progress p = Progress.start(
                    "sim geo trial " + (t + 1) + "/" + counts.trials(), counts.clients(), model.progress())) {
                r = model.run(t);
            }
            Map<String, Object> agg = outputs.add(r);
            if (agg.get("checks") instanceof Map<?, ?> checks) {
                for (Object c : checks.values()) {
                    pass &= c instanceof Map<?, ?> check && Boolean.TRUE.equals(check.get("pass"));
                }
            }
        }
        outputs.write(out);
        double seconds = (System.nanoTime() - started) / 1e9;
        long total = (long) counts.clients() * counts.trials();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "geo");
        summary.put("scenario", scenarioFile.getFileName().toString());
        summary.put("seed", counts.seed());
        summary.put("trials", counts.trials());
        summary.put("clients", counts.clients());
        summary.put("perfect_geo", perfectGeo);
        summary.put("git_revision", gitRevision());
        summary.put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        summary.put("cores", Runtime.getRuntime().availableProcessors());
        summary.put("threads", threads);
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(scenarioFile.getFileName().toString(), sha256(scenarioFile));
        for (Path p : new Path[] {
            s.population(), s.addressPlanFile(), s.ingressConfig().database(), s.pool()
        }) {
            if (p != null) {
                inputs.put(p.getFileName().toString(), sha256(p));
            }
        }
        summary.put("input_sha256", inputs);
        summary.put("all_checks_pass", pass);
        summary.put("results", outputs.trials());
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("seconds", GeoOutputs.round(seconds));
        timing.put("clients_per_second", Math.round(total / seconds));
        summary.put("timing", timing);
        writeJson(out.resolve("summary.json"), summary);
        return new Result(summary, pass, seconds, total);
    }

    public static void writeJson(Path file, Object value) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** {@code git rev-parse HEAD} of the working directory, or {@code unknown}. */
    public static String gitRevision() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readNBytes(200), StandardCharsets.US_ASCII).strip();
            }
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && text.matches("[0-9a-f]{40}")
                    ? text
                    : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
