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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmarks' one warm-up rule (docs/performance.md): warm once a run no longer beats the
 * best so far by 5%, twice in a row.
 */
public final class WarmUp {
    private final List<Double> runs = new ArrayList<>();
    private double best;
    private int flat;

    /** Records one warm-up run's throughput. */
    public void add(double mbps) {
        runs.add(mbps);
        flat = mbps < best * 1.05 ? flat + 1 : 0;
        best = Math.max(best, mbps);
    }

    /** Whether the numbers have stopped rising. */
    public boolean settled() {
        return flat >= 2;
    }

    /** The warm-up runs so far, in MB/s. */
    public List<Double> runs() {
        return List.copyOf(runs);
    }

    /** The warm-up line: its runs, and whether throughput was still rising when it stopped. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (double d : runs) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", d));
        }
        return b + " MB/s" + (settled() ? "" : " (still rising at the warm-up limit)");
    }
}
