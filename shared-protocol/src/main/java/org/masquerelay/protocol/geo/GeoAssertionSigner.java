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
package org.masquerelay.protocol.geo;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs location assertions at the ingress (docs/architecture.md §4) with Ed25519, <a
 * href="https://www.rfc-editor.org/rfc/rfc8032#section-5.1.6">RFC 8032 §5.1.6</a>. Ed25519 is
 * deterministic, and {@code not_after} comes from the {@link AssertionWindow}, so two calls for
 * the same cell and country in the same window return equal assertions with byte-identical
 * fields: the assertion carries no per-client value, and a caller may cache it per cell.
 *
 * <p>The signer holds every key the ingress owns; one is active and signs, the others are kept so
 * that rotation is a matter of {@link #withActiveKey}: publish the next key to the egresses (see
 * {@link #publicKeys()}), then activate it, then drop the old one once its last assertions expire.
 *
 * <p>Immutable and thread-safe.
 */
public final class GeoAssertionSigner {

    private final Map<String, SigningKey> keys;
    private final SigningKey active;
    private final AssertionWindow window;
    private final Clock clock;

    private GeoAssertionSigner(Map<String, SigningKey> keys, String activeKeyId, AssertionWindow window, Clock clock) {
        this.keys = keys;
        SigningKey activeKey = keys.get(activeKeyId);
        if (activeKey == null) {
            throw new IllegalArgumentException(
                    "activeKeyId: " + activeKeyId + " (expected: one of " + keys.keySet() + ")");
        }
        this.active = activeKey;
        this.window = Objects.requireNonNull(window, "window");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Returns a signer with one key and {@link AssertionWindow#DEFAULT}. */
    public static GeoAssertionSigner of(SigningKey key, Clock clock) {
        return of(List.of(key), key.keyId(), AssertionWindow.DEFAULT, clock);
    }

    /**
     * Returns a signer holding {@code keys}, signing with the one named {@code activeKeyId}.
     *
     * @throws IllegalArgumentException if {@code keys} is empty, two keys share an id, or none is
     *     named {@code activeKeyId}
     */
    public static GeoAssertionSigner of(
            List<SigningKey> keys, String activeKeyId, AssertionWindow window, Clock clock) {
        Map<String, SigningKey> byId = new LinkedHashMap<>();
        for (SigningKey key : keys) {
            if (byId.putIfAbsent(key.keyId(), key) != null) {
                throw new IllegalArgumentException("keys: key id " + key.keyId() + " appears twice");
            }
        }
        return new GeoAssertionSigner(Collections.unmodifiableMap(byId), activeKeyId, window, clock);
    }

    /**
     * Returns a signer with the same keys that signs with {@code keyId}.
     *
     * @throws IllegalArgumentException if no key is named {@code keyId}
     */
    public GeoAssertionSigner withActiveKey(String keyId) {
        return new GeoAssertionSigner(keys, keyId, window, clock);
    }

    /** Returns the id of the key that signs. */
    public String activeKeyId() {
        return active.keyId();
    }

    /** Returns every key's public key by id, in the order given: what the egresses must trust. */
    public Map<String, PublicKey> publicKeys() {
        Map<String, PublicKey> out = new LinkedHashMap<>();
        keys.forEach((id, key) -> out.put(id, key.publicKey()));
        return Collections.unmodifiableMap(out);
    }

    /** Returns the window that sets {@code not_after}. */
    public AssertionWindow window() {
        return window;
    }

    /** Returns the assertion for {@code location} at the clock's current time. */
    public GeoAssertion sign(SecChGeohash location) {
        return sign(location.geohash(), location.country());
    }

    /**
     * Returns the assertion for a cell at the clock's current time.
     *
     * @throws IllegalArgumentException if the geohash or country is outside its syntax
     */
    public GeoAssertion sign(String geohash, String country) {
        long notAfter = window.notAfter(clock.instant());
        byte[] message = GeoAssertion.toBeSigned(geohash, country, notAfter, active.keyId());
        try {
            Signature signature = Signature.getInstance(Ed25519Keys.ED25519);
            signature.initSign(active.privateKey());
            signature.update(message);
            return new GeoAssertion(geohash, country, notAfter, active.keyId(), signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }
}
