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

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * One ingress Ed25519 key (<a href="https://www.rfc-editor.org/rfc/rfc8032#section-5.1">RFC 8032
 * §5.1</a>) with the id that assertions name it by ({@code kid}, see {@link Ed25519Keys} for the
 * convention). {@link #toString()} leaves the private key out.
 *
 * @param keyId 1-32 characters of {@code A-Za-z0-9_-}
 * @param privateKey the Ed25519 private key
 * @param publicKey its public key
 */
public record SigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if the key id is outside its syntax, a key is not Ed25519,
     *     or the public key is not the private key's
     */
    public SigningKey {
        GeoSyntax.require("keyId", GeoSyntax.keyIdProblem(keyId));
        Ed25519Keys.requireEd25519(privateKey);
        Ed25519Keys.requireEd25519(publicKey);
        if (!Arrays.equals(
                Ed25519Keys.rawPublicKey(Ed25519Keys.publicKeyOf(privateKey)), Ed25519Keys.rawPublicKey(publicKey))) {
            throw new IllegalArgumentException("publicKey: not the public key of privateKey");
        }
    }

    /** Returns the key named {@code keyId}, deriving its public key. */
    public static SigningKey of(String keyId, PrivateKey privateKey) {
        return new SigningKey(keyId, privateKey, Ed25519Keys.publicKeyOf(privateKey));
    }

    /** Returns the key named by its {@linkplain Ed25519Keys#defaultKeyId default id}. */
    public static SigningKey of(PrivateKey privateKey) {
        PublicKey publicKey = Ed25519Keys.publicKeyOf(privateKey);
        return new SigningKey(Ed25519Keys.defaultKeyId(publicKey), privateKey, publicKey);
    }

    @Override
    public String toString() {
        return "SigningKey[keyId=" + keyId + "]";
    }
}
