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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import org.masquerelay.pool.AddressSelector;
import org.masquerelay.pool.City;
import org.masquerelay.pool.PoolRegistry;

/**
 * The model-mode benchmark (docs/simulator.md, "Speed"): the sample scenario with 100,000
 * clients over 24 simulated hours, timed end to end (outputs included) after one warm-up run,
 * and beside it {@link AddressSelector} alone for the same number of connections on one
 * thread, the floor the model cannot go below.
 *
 * <pre>
 * java -cp ... org.masquerelay.sim.GeoBench [clients] [threads]
 * </pre>
 */
public final class GeoBench {
    private GeoBench() {}

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int threads = args.length > 1
                ? Integer.parseInt(args[1])
                : Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("sim-bench");
        SampleSet.write(dir.resolve("in"));
        Path scenario = dir.resolve("in/scenario.yaml");
        GeoRun.run(scenario, dir.resolve("warm-up"), false, 10_000, null, null, threads);
        GeoRun.Result r = GeoRun.run(scenario, dir.resolve("out"), false, clients, null, null, threads);
        long n = 0;
        if (r.summary().get("results") instanceof java.util.List<?> trials
                && trials.get(0) instanceof java.util.Map<?, ?> first
                && first.get("connections") instanceof Number x) {
            n = x.longValue();
        }
        System.out.print(String.format(
                Locale.ROOT,
                "sim geo: %,d clients x 24 h, %,d connections, %d threads, %d cores: %.2f s, %,.0f clients/s%n",
                clients,
                n,
                threads,
                Runtime.getRuntime().availableProcessors(),
                r.seconds(),
                r.clientsPerSecond()));
        PoolRegistry pool = PoolRegistry.load(dir.resolve("in/pool.yaml"));
        City city = pool.cities().get(0);
        SplittableRandom rng = new SplittableRandom(1);
        byte[] key = new byte[AddressSelector.KEY_BYTES];
        long epoch = pool.epochOf(Instant.parse("2026-01-05T00:00:00Z"));
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            rng.nextBytes(key);
            AddressSelector.select(city, key, epoch, (i & 1) == 0);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.print(String.format(
                Locale.ROOT,
                "AddressSelector alone, 1 thread: %,d selections in %.2f s (%.2f us each)%n",
                n,
                s,
                s * 1e6 / Math.max(1, n)));
    }
}
