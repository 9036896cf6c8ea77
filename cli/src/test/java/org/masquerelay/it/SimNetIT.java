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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.sim.NetRun;
import org.masquerelay.sim.Csv;
import org.masquerelay.sim.SampleSet;
import org.masquerelay.sim.Scenario;

/**
 * {@code masque sim net} with the in-process shim: 2 clients, 1 trial, the real issuer, ingress
 * and egress on loopback; the profile with a 20 ms one-way access delay beside one without.
 */
class SimNetIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void twoClientsThroughTheShimLeaveFromPoolAddressesAndTheDelayShowsInTheRtt() throws Exception {
        SampleSet.write(dir);
        Path scenario = dir.resolve("scenario.yaml");
        String text = Files.readString(scenario);
        int net = text.indexOf("net:");
        Files.writeString(scenario, text.substring(0, net) + """
                        net:
                          backend: shim
                          profiles: [none, d20]
                          links:
                            d20: {client-ingress: {delay-ms: 20}}
                          clients: 2
                          trials: 1
                          objects: [51200]
                          rtt-probes: 100
                        """);
        Path out = dir.resolve("net");
        boolean ok = NetRun.run(scenario, Scenario.load(scenario), out);

        assertThat(out.resolve("flows.csv")).isNotEmptyFile();
        assertThat(out.resolve("summary.json")).isNotEmptyFile();
        List<Csv.Row> flows = Csv.read(out.resolve("flows.csv"));
        assertThat(flows)
                .allSatisfy(r -> assertThat(r.get("error")).as(r.toString()).isEmpty());
        // per profile and client: connect (two-hop only), one object and the UDP RTT on each arm
        assertThat(flows).hasSize(2 * 2 * (3 + 2));
        JsonNode summary =
                new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("origin_saw_only_pool_addresses").asBoolean())
                .as(summary.get("origin_source_addresses").toString())
                .isTrue();
        assertThat(summary.get("origin_source_addresses").get(0).asText()).startsWith("127.101.0.");
        assertThat(ok).isTrue();
        for (String arm : List.of("two-hop", "direct")) {
            double zero = median(flows, "none", arm);
            double twenty = median(flows, "d20", arm);
            assertThat(twenty - zero)
                    .as(arm + ": " + zero + " ms, then " + twenty + " ms")
                    .isGreaterThanOrEqualTo(40);
        }
    }

    private static double median(List<Csv.Row> flows, String profile, String arm) {
        double[] v = flows.stream()
                .filter(r -> r.get("profile").equals(profile)
                        && r.get("arm").equals(arm)
                        && r.get("flow").equals("udp-rtt"))
                .mapToDouble(r -> Double.parseDouble(r.get("rtt_p50_ms")))
                .sorted()
                .toArray();
        assertThat(v).isNotEmpty();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
