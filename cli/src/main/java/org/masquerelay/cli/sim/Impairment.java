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
package org.masquerelay.cli.sim;

import java.util.SplittableRandom;
import org.masquerelay.sim.LinkProfile;

/**
 * One direction of an impaired hop: when each packet of a given size is delivered, or that it
 * is lost. Delay with uniform jitter, random or Gilbert–Elliott loss, a rate (serialization
 * delay behind the packets before it) and reordering (a packet sent without the delay).
 */
final class Impairment {
    private final LinkProfile.Hop hop;
    private final SplittableRandom rng;
    private boolean bad;
    private long nextFree;

    Impairment(LinkProfile.Hop hop, long seed) {
        this.hop = hop;
        this.rng = new SplittableRandom(seed);
    }

    /** The System.nanoTime at which a packet of {@code bytes} sent at {@code now} arrives, or -1 if lost. */
    synchronized long deliverAt(int bytes, long now, boolean lossless) {
        double lossProbability = hop.loss();
        if (hop.gilbertElliott()) {
            bad = bad ? rng.nextDouble() >= hop.r() : rng.nextDouble() < hop.p();
            lossProbability = bad ? hop.loss() : 0;
        }
        if (!lossless && rng.nextDouble() < lossProbability) {
            return -1;
        }
        long t = now;
        if (hop.rate() > 0) {
            nextFree = Math.max(now, nextFree) + (long) (bytes * 8 / (hop.rate() * 1e6) * 1e9);
            t = nextFree;
        }
        double delayMs = hop.delay() + hop.jitter() * (2 * rng.nextDouble() - 1);
        if (hop.reorder() > 0 && rng.nextDouble() < hop.reorder()) {
            delayMs = 0;
        }
        return t + (long) (Math.max(0, delayMs) * 1e6);
    }
}
