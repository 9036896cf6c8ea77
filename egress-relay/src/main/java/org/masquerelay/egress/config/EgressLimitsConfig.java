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
package org.masquerelay.egress.config;

import java.time.Duration;
import org.masquerelay.config.ConfigErrors;

/**
 * Limits and timeouts of the egress.
 *
 * <p>Every key is optional. Jackson leaves an absent one null, but only {@link #withDefaults()}
 * copies, where every component is set, are read; so the components are not {@code @Nullable}.
 *
 * @param maxFlowsPerConnection concurrent CONNECT and connect-udp flows on one inner connection
 * @param maxFlows concurrent flows in the whole relay
 * @param connectTimeout TCP connect timeout per target (all Happy Eyeballs attempts together)
 * @param udpIdleTimeout a UDP flow with no datagram in either direction for this long is closed
 * @param stalledUploadMibPerConnection MiB that uploads whose targets stopped reading may hold on
 *     one inner connection, each counted at its worst case ({@link #STALLED_UPLOAD_MIB}); beyond
 *     it the one stalled longest is reset (docs/architecture.md, "Flow-control windows and stalled
 *     readers")
 */
public record EgressLimitsConfig(
        Integer maxFlowsPerConnection,
        Integer maxFlows,
        Duration connectTimeout,
        Duration udpIdleTimeout,
        Integer stalledUploadMibPerConnection) {
    /**
     * What one upload whose target stopped reading is counted as, in MiB: the QUIC stream window
     * it may fill unread (quiche grows a stream's window up to 16 MiB for a fast reader) plus the
     * 1 MiB the relay may hold toward the socket.
     */
    public static final int STALLED_UPLOAD_MIB = 17;

    public static final EgressLimitsConfig DEFAULTS =
            new EgressLimitsConfig(256, 20_000, Duration.ofSeconds(10), Duration.ofMinutes(2), 256);

    public EgressLimitsConfig withDefaults() {
        return new EgressLimitsConfig(
                maxFlowsPerConnection == null ? DEFAULTS.maxFlowsPerConnection : maxFlowsPerConnection,
                maxFlows == null ? DEFAULTS.maxFlows : maxFlows,
                connectTimeout == null ? DEFAULTS.connectTimeout : connectTimeout,
                udpIdleTimeout == null ? DEFAULTS.udpIdleTimeout : udpIdleTimeout,
                stalledUploadMibPerConnection == null
                        ? DEFAULTS.stalledUploadMibPerConnection
                        : stalledUploadMibPerConnection);
    }

    /** How many uploads whose targets stopped reading one inner connection may hold at once. */
    public int stalledUploadsPerConnection() {
        return withDefaults().stalledUploadMibPerConnection / STALLED_UPLOAD_MIB;
    }

    public void validate(String path, ConfigErrors errors) {
        EgressLimitsConfig l = withDefaults();
        errors.check(
                l.maxFlowsPerConnection >= 1 && l.maxFlowsPerConnection <= 100_000,
                path + ".max-flows-per-connection",
                l.maxFlowsPerConnection,
                "1-100000");
        errors.check(l.maxFlows >= 1, path + ".max-flows", l.maxFlows, ">= 1");
        errors.check(l.connectTimeout.toMillis() >= 100, path + ".connect-timeout", l.connectTimeout, ">= PT0.1S");
        errors.check(l.udpIdleTimeout.toMillis() >= 1000, path + ".udp-idle-timeout", l.udpIdleTimeout, ">= PT1S");
        errors.check(
                l.stalledUploadMibPerConnection >= STALLED_UPLOAD_MIB && l.stalledUploadMibPerConnection <= 1 << 20,
                path + ".stalled-upload-mib-per-connection",
                l.stalledUploadMibPerConnection,
                STALLED_UPLOAD_MIB + "-" + (1 << 20) + " MiB; each upload whose target stopped reading is counted as "
                        + STALLED_UPLOAD_MIB + " MiB, so below " + STALLED_UPLOAD_MIB + " not even one could stall");
    }
}
