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

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;

/**
 * The impairment of each hop of one emulation profile: client→ingress, ingress→egress and
 * egress→origin. Presets are named after published set-ups (docs/simulator.md).
 *
 * @param clientIngress the client's access link
 * @param ingressEgress between the relays
 * @param egressOrigin from the egress to the origin
 */
public record LinkProfile(
        @Nullable Hop clientIngress,
        @Nullable Hop ingressEgress,
        @Nullable Hop egressOrigin) {
    /**
     * One direction-symmetric hop.
     *
     * @param delayMs one-way delay added to each packet, each direction
     * @param jitterMs uniform ± jitter around the delay
     * @param lossPct packet loss in percent, each direction
     * @param lossModel {@code random} or {@code gilbert-elliott} (then {@code lossPct} is the loss in
     *     the bad state, and {@code geP}/{@code geR} the chances of entering and leaving it)
     * @param geP Gilbert–Elliott: per-packet chance of going from good to bad
     * @param geR Gilbert–Elliott: per-packet chance of going from bad to good
     * @param rateMbit link rate in Mbit/s, 0 for unlimited
     * @param reorderPct share of packets sent without the delay, so they overtake others
     */
    public record Hop(
            @Nullable Double delayMs,
            @Nullable Double jitterMs,
            @Nullable Double lossPct,
            @Nullable String lossModel,
            @Nullable Double geP,
            @Nullable Double geR,
            @Nullable Double rateMbit,
            @Nullable Double reorderPct) {
        public static final Hop NONE = new Hop(0.0, 0.0, 0.0, "random", 0.0, 0.0, 0.0, 0.0);

        static Hop of(double delayMs, double lossPct, double rateMbit) {
            return new Hop(delayMs, 0.0, lossPct, "random", 0.0, 0.0, rateMbit, 0.0);
        }

        public double delay() {
            return delayMs == null ? 0 : delayMs;
        }

        public double jitter() {
            return jitterMs == null ? 0 : jitterMs;
        }

        public double loss() {
            return lossPct == null ? 0 : lossPct / 100;
        }

        public boolean gilbertElliott() {
            return "gilbert-elliott".equals(lossModel);
        }

        public double p() {
            return geP == null ? 0 : geP;
        }

        public double r() {
            return geR == null ? 1 : geR;
        }

        public double rate() {
            return rateMbit == null ? 0 : rateMbit;
        }

        public double reorder() {
            return reorderPct == null ? 0 : reorderPct / 100;
        }

        public boolean isNone() {
            return delay() == 0 && jitter() == 0 && loss() == 0 && rate() == 0 && reorder() == 0;
        }

        void validate(String path, ConfigErrors errors) {
            nonNegative(errors, path + ".delay-ms", delayMs, 10_000);
            nonNegative(errors, path + ".jitter-ms", jitterMs, delay());
            nonNegative(errors, path + ".loss-pct", lossPct, 100);
            nonNegative(errors, path + ".rate-mbit", rateMbit, 100_000);
            nonNegative(errors, path + ".reorder-pct", reorderPct, 100);
            nonNegative(errors, path + ".ge-p", geP, 1);
            nonNegative(errors, path + ".ge-r", geR, 1);
            if (lossModel != null) {
                errors.check(
                        lossModel.equals("random") || lossModel.equals("gilbert-elliott"),
                        path + ".loss-model",
                        lossModel,
                        "random | gilbert-elliott");
            }
        }

        private static void nonNegative(ConfigErrors errors, String path, @Nullable Double v, double max) {
            if (v != null) {
                errors.check(v >= 0 && v <= max, path, v, "0 to " + max);
            }
        }
    }

    public Hop hop(int index) {
        Hop h = index == 0 ? clientIngress : index == 1 ? ingressEgress : egressOrigin;
        return h == null ? Hop.NONE : h;
    }

    void validate(String path, ConfigErrors errors) {
        String[] names = {"client-ingress", "ingress-egress", "egress-origin"};
        for (int i = 0; i < 3; i++) {
            Hop h = i == 0 ? clientIngress : i == 1 ? ingressEgress : egressOrigin;
            if (h != null) {
                h.validate(path + "." + names[i], errors);
            }
        }
    }

    /**
     * The built-in profiles. The access link carries the impairment, as in the set-ups they are
     * named after: the QUIC interop runner's 10 Mbit/s, 15 ms link; the same with 2 % loss; the
     * direct pings of Trevisan et al. (PAM 2023) from France, Italy and the US (2, 15 and 17 ms
     * RTT, so half each way); and a grid of loss 0–12 % by one-way delay 0–50 ms.
     */
    public static Map<String, LinkProfile> presets() {
        Map<String, LinkProfile> p = new LinkedHashMap<>();
        p.put("none", new LinkProfile(null, null, null));
        p.put("interop-10mbit-15ms", access(Hop.of(15, 0, 10)));
        p.put("10mbit-2pct-loss", access(Hop.of(15, 2, 10)));
        p.put("pam23-fr", access(Hop.of(1, 0, 0)));
        p.put("pam23-it", access(Hop.of(7.5, 0, 0)));
        p.put("pam23-us", access(Hop.of(8.5, 0, 0)));
        for (int loss : new int[] {0, 1, 2, 5, 12}) {
            for (int delay : new int[] {0, 10, 25, 50}) {
                p.put("grid-loss" + loss + "-delay" + delay, access(Hop.of(delay, loss, 0)));
            }
        }
        return p;
    }

    static LinkProfile access(Hop hop) {
        return new LinkProfile(hop, null, null);
    }
}
