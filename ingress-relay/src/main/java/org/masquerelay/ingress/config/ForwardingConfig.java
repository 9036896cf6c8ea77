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
package org.masquerelay.ingress.config;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;

/**
 * The ingress's {@code quic-forwarding:} section (docs/quic-forwarding.md): whether a client may
 * move its inner connection's short-header packets to forwarded mode (draft-ietf-masque-quic-proxy
 * §7), with which packet transforms, and how many connection IDs one client connection may
 * register.
 *
 * <pre>
 * quic-forwarding:
 *   enabled: true                       # default true
 *   transforms: [scramble-dt]           # offered in this order; identity only if listed
 *   max-registrations-per-connection: 32
 * </pre>
 */
public record ForwardingConfig(
        @Nullable Boolean enabled,
        @Nullable List<String> transforms,
        @Nullable Integer maxRegistrationsPerConnection) {
    /** Transforms this ingress can apply. */
    public static final List<String> KNOWN_TRANSFORMS = List.of("scramble-dt", "identity");

    /** Everything at its default. */
    public static final ForwardingConfig DEFAULTS = new ForwardingConfig(null, null, null);

    public boolean enabledOrDefault() {
        return enabled == null || enabled;
    }

    public List<String> transformsOrDefault() {
        return transforms == null ? List.of("scramble-dt") : transforms;
    }

    public int maxRegistrationsPerConnectionOrDefault() {
        return maxRegistrationsPerConnection == null ? 32 : maxRegistrationsPerConnection;
    }

    void validate(String path, ConfigErrors errors) {
        if (transforms != null) {
            errors.check(
                    !transforms.isEmpty(), path + ".transforms", transforms, "at least one of " + KNOWN_TRANSFORMS);
            for (String t : transforms) {
                errors.check(KNOWN_TRANSFORMS.contains(t), path + ".transforms", t, "one of " + KNOWN_TRANSFORMS);
            }
        }
        if (maxRegistrationsPerConnection != null) {
            errors.check(
                    maxRegistrationsPerConnection >= 2 && maxRegistrationsPerConnection <= 10_000,
                    path + ".max-registrations-per-connection",
                    maxRegistrationsPerConnection,
                    "2-10000 (a tunnel needs a client and a target connection id)");
        }
    }
}
