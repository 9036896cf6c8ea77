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

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;

/**
 * The {@code net:} section of a scenario: emulation mode, {@code masque sim net}.
 *
 * <pre>
 * net:
 *   backend: shim                # shim: in-process UDP impairment; netem: network namespaces (root)
 *   profiles: [interop-10mbit-15ms, pam23-fr]   # presets or names under links
 *   links:                       # own profiles, per hop
 *     my-dsl: {client-ingress: {delay-ms: 12, jitter-ms: 2, loss-pct: 0.5, rate-mbit: 20}}
 *   clients: 2
 *   trials: 1
 *   objects: [51200, 1048576, 5242880]
 *   rtt-probes: 20
 * </pre>
 */
public record NetScenario(
        @Nullable String backend,
        @Nullable List<String> profiles,
        @Nullable Map<String, LinkProfile> links,
        @Nullable Integer clients,
        @Nullable Integer trials,
        @Nullable List<Integer> objects,
        @Nullable Integer rttProbes) {

    NetScenario resolve(Path base) {
        return this;
    }

    void validate(String path, ConfigErrors errors) {
        String b = backendOrDefault();
        errors.check(b.equals("shim"), path + ".backend", backend, "shim (the netem back end is not implemented)");
        Map<String, LinkProfile> all = allProfiles();
        if (links != null) {
            links.forEach((name, p) -> {
                errors.check(name.matches("[a-z0-9][a-z0-9-]{0,62}"), path + ".links." + name, name, "a-z, 0-9 and -");
                if (p == null) {
                    errors.missing(path + ".links." + name);
                } else {
                    p.validate(path + ".links." + name, errors);
                    errors.check(
                            p.ingressEgress() == null && p.egressOrigin() == null,
                            path + ".links." + name,
                            name,
                            "client-ingress only: the shim impairs the access link");
                }
            });
        }
        if (profiles == null || profiles.isEmpty()) {
            errors.add(path + ".profiles", profiles, "at least one profile name");
        } else {
            for (int i = 0; i < profiles.size(); i++) {
                errors.check(
                        all.containsKey(profiles.get(i)),
                        path + ".profiles[" + i + "]",
                        profiles.get(i),
                        "a preset (" + String.join(", ", LinkProfile.presets().keySet()) + ") or a name under links");
            }
        }
        if (clients != null) {
            Scenario.range(errors, path + ".clients", clients, 1, 64);
        }
        if (trials != null) {
            Scenario.range(errors, path + ".trials", trials, 1, 100);
        }
        if (objects != null) {
            for (int i = 0; i < objects.size(); i++) {
                Scenario.range(errors, path + ".objects[" + i + "]", objects.get(i), 1, 64 << 20);
            }
        }
        if (rttProbes != null) {
            Scenario.range(errors, path + ".rtt-probes", rttProbes, 1, 10_000);
        }
    }

    public String backendOrDefault() {
        return backend == null ? "shim" : backend;
    }

    /** Presets, then this file's own profiles. */
    public Map<String, LinkProfile> allProfiles() {
        Map<String, LinkProfile> all = new LinkedHashMap<>(LinkProfile.presets());
        if (links != null) {
            all.putAll(links);
        }
        return all;
    }

    public List<String> profilesOrDefault() {
        return profiles == null ? List.of("none") : profiles;
    }

    public int clientsOrDefault() {
        return clients == null ? 2 : clients;
    }

    public int trialsOrDefault() {
        return trials == null ? 1 : trials;
    }

    public List<Integer> objectsOrDefault() {
        return objects == null ? List.of(51_200, 1 << 20) : objects;
    }

    public int rttProbesOrDefault() {
        return rttProbes == null ? 20 : rttProbes;
    }
}
