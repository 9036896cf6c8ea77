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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.DoubleHistogram;

/** T1 and the net figures' points, from {@code flows.csv} rows. */
public final class NetTables {
    /** The metrics of T1: flow kind and object size to the column that measures it. */
    static final List<String[]> METRICS = List.of(
            new String[] {"setup (ms)", "connect", "setup_ms"},
            new String[] {"UDP RTT p50 (ms)", "udp-rtt", "rtt_p50_ms"},
            new String[] {"object time (ms)", "object", "ttlb_ms"},
            new String[] {"goodput (Mbit/s)", "object", "goodput_mbps"});

    private NetTables() {}

    /** Median and quartiles of the values. */
    public record Quartiles(double p25, double median, double p75, long n) {
        String text() {
            return n == 0 ? "–" : String.format(Locale.ROOT, "%.1f [%.1f–%.1f]", median, p25, p75);
        }
    }

    static Quartiles quartiles(List<Double> values) {
        DoubleHistogram h = new DoubleHistogram(3);
        for (double v : values) {
            h.recordValue(Math.max(v, 1e-6));
        }
        return values.isEmpty()
                ? new Quartiles(0, 0, 0, 0)
                : new Quartiles(
                        h.getValueAtPercentile(25),
                        h.getValueAtPercentile(50),
                        h.getValueAtPercentile(75),
                        values.size());
    }

    /** The values of {@code column} in rows of {@code flow}, profile, arm and (for objects) size, without errors. */
    static List<Double> values(
            List<Csv.Row> rows, String profile, String arm, String flow, String size, String column) {
        List<Double> out = new ArrayList<>();
        for (Csv.Row r : rows) {
            if (r.get("profile").equals(profile)
                    && r.get("arm").equals(arm)
                    && r.get("flow").equals(flow)
                    && (size.isEmpty() || r.get("object_bytes").equals(size))
                    && r.get("error").isEmpty()
                    && !r.get(column).isEmpty()) {
                out.add(Double.parseDouble(r.get(column)));
            }
        }
        return out;
    }

    /** T1: per profile and metric, direct and two-hop median [IQR], and the difference of medians. */
    public static List<List<String>> t1(List<Csv.Row> rows) {
        Map<String, List<String>> sizes = new LinkedHashMap<>();
        for (Csv.Row r : rows) {
            List<String> s = sizes.computeIfAbsent(r.get("profile"), x -> new ArrayList<>());
            if (r.get("flow").equals("object") && !s.contains(r.get("object_bytes"))) {
                s.add(r.get("object_bytes"));
            }
        }
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : sizes.entrySet()) {
            String profile = e.getKey();
            for (String[] m : METRICS) {
                List<String> sizeList = m[1].equals("object") ? e.getValue() : List.of("");
                for (String size : sizeList) {
                    Quartiles d = quartiles(values(rows, profile, "direct", m[1], size, m[2]));
                    Quartiles t = quartiles(values(rows, profile, "two-hop", m[1], size, m[2]));
                    out.add(List.of(
                            profile,
                            m[0] + (size.isEmpty() ? "" : ", " + size + " B"),
                            d.text(),
                            t.text(),
                            d.n() == 0 || t.n() == 0
                                    ? "–"
                                    : String.format(Locale.ROOT, "%+.1f", t.median() - d.median())));
                }
            }
        }
        return out;
    }
}
