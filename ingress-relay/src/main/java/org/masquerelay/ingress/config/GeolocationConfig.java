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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.pool.GeoDatabase;
import org.masquerelay.pool.Geohashes;
import org.masquerelay.pool.Iso3166;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.geo.AssertionWindow;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.geo.SigningKey;

/**
 * The ingress's {@code geo:} section (docs/architecture.md §4): where client addresses are located, how coarse
 * the geohash is, and the Ed25519 keys that sign the {@code geo-assertion}.
 *
 * <pre>
 * geo:
 *   database: geo.csv            # .mmdb (MaxMind City format) or a CSV of prefix,lat,lon,country,region,city
 *   precision: 5                 # geohash characters: 5 is about 5 km, 4 about 39 km
 *   signing-keys:                # several for rotation; egresses trust every public key by id
 *     - id: k1
 *       private-key: k1.key      # PKCS#8 PEM from `masque keys generate`
 *   active-key: k1               # default: the first
 *   window: PT10M                # not_after rounds up to this (assertions are shared per cell)
 *   validity: PT1H
 *   unknown-location: deny       # deny | fallback
 *   fallback: {country: GB, geohash: gc}   # used by unknown-location: fallback (country-only)
 * </pre>
 */
public record GeolocationConfig(
        @Nullable Path database,
        @Nullable Integer precision,
        @Nullable List<SigningKeyConfig> signingKeys,
        @Nullable String activeKey,
        @Nullable Duration window,
        @Nullable Duration validity,
        @Nullable String unknownLocation,
        @Nullable FallbackConfig fallback) {

    /** One signing key: its id and the PKCS#8 PEM file of its private key. */
    public record SigningKeyConfig(String id, @Nullable Path privateKey) {}

    /** The location given to clients the database does not know: a country and a coarse cell. */
    public record FallbackConfig(String country, String geohash) {}

    /** This section with its file paths resolved against {@code base}, the config file's directory. */
    public GeolocationConfig resolve(Path base) {
        List<SigningKeyConfig> keys = signingKeys == null
                ? null
                : signingKeys.stream()
                        .map(k -> new SigningKeyConfig(
                                k.id(), k.privateKey() == null ? null : base.resolve(k.privateKey())))
                        .toList();
        return new GeolocationConfig(
                database == null ? null : base.resolve(database),
                precision,
                keys,
                activeKey,
                window,
                validity,
                unknownLocation,
                fallback);
    }

    /** Adds every problem to {@code errors}, each under {@code path}, the section's YAML path. */
    public void validate(String path, ConfigErrors errors) {
        if (database == null) {
            errors.missing(path + ".database");
        } else if (!Files.isReadable(database)) {
            errors.add(path + ".database", database, "a readable .mmdb or CSV file");
        } else {
            try (GeoDatabase db = GeoDatabase.open(database)) {
                // opened only to report a broken file now, not at the first client
            } catch (ConfigException e) {
                for (String m : e.errors()) {
                    errors.add(path + ".database", m, "a valid geo database");
                }
            }
        }
        if (precision != null) {
            errors.check(
                    precision >= 1 && precision <= Geohashes.MAX_PRECISION,
                    path + ".precision",
                    precision,
                    "1-" + Geohashes.MAX_PRECISION);
        }
        if (signingKeys == null || signingKeys.isEmpty()) {
            errors.add(path + ".signing-keys", signingKeys, "at least one {id, private-key}");
        } else {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < signingKeys.size(); i++) {
                SigningKeyConfig k = signingKeys.get(i);
                String p = path + ".signing-keys[" + i + "]";
                if (k.id() == null) {
                    errors.missing(p + ".id");
                } else if (!ids.add(k.id())) {
                    errors.add(p + ".id", k.id(), "a key id used once");
                }
                readKey(p, k, errors);
            }
            if (activeKey != null) {
                errors.check(ids.contains(activeKey), path + ".active-key", activeKey, "one of " + ids);
            }
        }
        if (window != null || validity != null) {
            try {
                assertionWindow();
            } catch (IllegalArgumentException e) {
                errors.add(path + ".window", window + "/" + validity, String.valueOf(e.getMessage()));
            }
        }
        String policy = unknownLocationOrDefault();
        if (!policy.equals("deny") && !policy.equals("fallback")) {
            errors.add(path + ".unknown-location", unknownLocation, "deny | fallback");
        } else if (policy.equals("fallback")) {
            if (fallback == null) {
                errors.missing(path + ".fallback");
            } else {
                errors.check(
                        fallback.country() != null && Iso3166.isCountry(fallback.country()),
                        path + ".fallback.country",
                        fallback.country(),
                        "an ISO 3166-1 alpha-2 code");
                errors.parse(path + ".fallback.geohash", fallback.geohash(), Geohashes::validate, "a geohash");
            }
        }
    }

    private static @Nullable SigningKey readKey(String path, SigningKeyConfig k, ConfigErrors errors) {
        if (k.privateKey() == null) {
            errors.missing(path + ".private-key");
            return null;
        }
        try {
            PrivateKey key = Ed25519Keys.privateKeyFromPem(Files.readString(k.privateKey()));
            return SigningKey.of(k.id() == null ? Ed25519Keys.defaultKeyId(Ed25519Keys.publicKeyOf(key)) : k.id(), key);
        } catch (IOException e) {
            errors.add(path + ".private-key", k.privateKey(), "a readable PKCS#8 PEM file");
        } catch (ProtocolException | IllegalArgumentException e) {
            // never echo key material: name the file and the problem only
            errors.add(path + ".private-key", k.privateKey(), "an Ed25519 PKCS#8 PEM key; " + e.getMessage());
        }
        return null;
    }

    /** The signing keys, in configured order; call only on a validated config. */
    public List<SigningKey> keys() {
        List<SigningKey> out = new ArrayList<>();
        ConfigErrors ignored = new ConfigErrors();
        for (SigningKeyConfig k : Objects.requireNonNull(signingKeys, "signing-keys")) {
            SigningKey key = readKey("", k, ignored);
            if (key == null) {
                // The file changed since validation; do not hand on a null key.
                throw new IllegalStateException("signing key: " + String.join("; ", ignored.all()));
            }
            out.add(key);
        }
        return out;
    }

    public String activeKeyOrDefault() {
        return activeKey != null
                ? activeKey
                : Objects.requireNonNull(signingKeys, "signing-keys").get(0).id();
    }

    public int precisionOrDefault() {
        return precision == null ? Geohashes.DEFAULT_PRECISION : precision;
    }

    public AssertionWindow assertionWindow() {
        return new AssertionWindow(
                window == null ? AssertionWindow.DEFAULT.window() : window,
                validity == null ? AssertionWindow.DEFAULT.validity() : validity);
    }

    public String unknownLocationOrDefault() {
        return unknownLocation == null ? "deny" : unknownLocation;
    }

    /** The fallback location, or null when unknown clients are denied. */
    public @Nullable SecChGeohash fallbackLocation() {
        if (!"fallback".equals(unknownLocationOrDefault())) {
            return null;
        }
        FallbackConfig f = Objects.requireNonNull(fallback, "fallback");
        return new SecChGeohash(f.geohash(), f.country());
    }
}
