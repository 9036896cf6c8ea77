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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.geo.AssertionWindow;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.protocol.geo.GeoAssertionVerifier;

/**
 * The egress's {@code geo:} section (docs/architecture.md §4): the city pool it dials from, and the ingress
 * keys whose {@code geo-assertion}s it trusts. With it, every request must carry a valid
 * assertion, and source addresses come only from the pool.
 *
 * <pre>
 * geo:
 *   pool: pool.yaml              # cities and their prefixes; also the source of /egress-ranges.csv
 *   trusted-keys:                # every ingress signing key, by id
 *     - id: k1
 *       public-key: k1.pub       # SPKI PEM from `masque keys generate`
 *   window: PT10M                # the ingress's window and validity (bound on not_after)
 *   validity: PT1H
 *   max-clock-skew: PT30S
 * </pre>
 */
public record GeoRoutingConfig(
        @Nullable Path pool,
        @Nullable List<TrustedKeyConfig> trustedKeys,
        @Nullable Duration window,
        @Nullable Duration validity,
        @Nullable Duration maxClockSkew) {

    /** One trusted ingress key: its id and SPKI PEM file. */
    public record TrustedKeyConfig(String id, @Nullable Path publicKey) {}

    GeoRoutingConfig resolve(Path base) {
        List<TrustedKeyConfig> keys = trustedKeys == null
                ? null
                : trustedKeys.stream()
                        .map(k -> new TrustedKeyConfig(
                                k.id(), k.publicKey() == null ? null : base.resolve(k.publicKey())))
                        .toList();
        return new GeoRoutingConfig(pool == null ? null : base.resolve(pool), keys, window, validity, maxClockSkew);
    }

    void validate(String path, ConfigErrors errors) {
        if (pool == null) {
            errors.missing(path + ".pool");
        } else {
            try {
                PoolRegistry.load(pool);
            } catch (ConfigException e) {
                for (String m : e.errors()) {
                    errors.add(path + ".pool", pool + ": " + m, "a valid pool file (see `masque pool check`)");
                }
            }
        }
        if (trustedKeys == null || trustedKeys.isEmpty()) {
            errors.add(path + ".trusted-keys", trustedKeys, "at least one {id, public-key}");
        } else {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < trustedKeys.size(); i++) {
                TrustedKeyConfig k = trustedKeys.get(i);
                String p = path + ".trusted-keys[" + i + "]";
                if (k.id() == null) {
                    errors.missing(p + ".id");
                } else if (!ids.add(k.id())) {
                    errors.add(p + ".id", k.id(), "a key id used once");
                }
                readKey(p, k, errors);
            }
        }
        try {
            assertionWindow();
        } catch (IllegalArgumentException e) {
            errors.add(path + ".window", window + "/" + validity, String.valueOf(e.getMessage()));
        }
        if (maxClockSkew != null) {
            errors.check(
                    !maxClockSkew.isNegative()
                            && maxClockSkew.toNanosPart() == 0
                            && maxClockSkew.compareTo(Duration.ofMinutes(10)) <= 0,
                    path + ".max-clock-skew",
                    maxClockSkew,
                    "whole seconds, PT0S-PT10M");
        }
    }

    private static @Nullable PublicKey readKey(String path, TrustedKeyConfig k, ConfigErrors errors) {
        if (k.publicKey() == null) {
            errors.missing(path + ".public-key");
            return null;
        }
        try {
            return Ed25519Keys.publicKeyFromPem(Files.readString(k.publicKey()));
        } catch (IOException e) {
            errors.add(path + ".public-key", k.publicKey(), "a readable SPKI PEM file");
        } catch (ProtocolException | IllegalArgumentException e) {
            errors.add(path + ".public-key", k.publicKey(), "an Ed25519 public key in PEM; " + e.getMessage());
        }
        return null;
    }

    public AssertionWindow assertionWindow() {
        return new AssertionWindow(
                window == null ? AssertionWindow.DEFAULT.window() : window,
                validity == null ? AssertionWindow.DEFAULT.validity() : validity);
    }

    /** The trusted keys by id; call only on a validated config. */
    public Map<String, PublicKey> keys() {
        Map<String, PublicKey> out = new LinkedHashMap<>();
        ConfigErrors ignored = new ConfigErrors();
        for (TrustedKeyConfig k : Objects.requireNonNull(trustedKeys, "trusted-keys")) {
            PublicKey key = readKey("", k, ignored);
            if (key == null) {
                // The file changed since validation; do not hand on a null key.
                throw new IllegalStateException("trusted key: " + String.join("; ", ignored.all()));
            }
            out.put(k.id(), key);
        }
        return out;
    }

    public Duration maxClockSkewOrDefault() {
        return maxClockSkew == null ? GeoAssertionVerifier.DEFAULT_SKEW : maxClockSkew;
    }
}
