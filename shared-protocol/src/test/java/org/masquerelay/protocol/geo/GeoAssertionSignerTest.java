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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.masquerelay.protocol.geo.Rfc8032.clockAt;

import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;

/** Deterministic signing: one cell, one window, one byte string (docs/architecture.md §2, §4). */
class GeoAssertionSignerTest {

    private static final SigningKey K1 = SigningKey.of("k1", Rfc8032.test1());
    private static final SigningKey K2 = SigningKey.of("k2", Rfc8032.test2());

    private static GeoAssertionSigner signerAt(long epochSecond) {
        return GeoAssertionSigner.of(K1, clockAt(epochSecond));
    }

    @Test
    void twoClientsInOneCellAndWindowGetByteIdenticalAssertions() {
        String first = signerAt(1_763_999_401L).sign("u4pru", "GB").toHeaderValue();
        String last =
                signerAt(1_764_000_000L).sign(new SecChGeohash("u4pru", "GB")).toHeaderValue();

        assertThat(first).isEqualTo(last).isEqualTo(Rfc8032.FIELD);
    }

    @Test
    void nextWindowGivesADifferentAssertion() {
        GeoAssertion next = signerAt(1_764_000_001L).sign("u4pru", "GB");

        assertThat(next.notAfter()).isEqualTo(Rfc8032.NOT_AFTER + 600);
        assertThat(next.toHeaderValue()).isNotEqualTo(Rfc8032.FIELD);
        assertThat(next.signature()).isNotEqualTo(Rfc8032.signedAssertion().signature());
    }

    @Test
    void otherCellsAndCountriesGetOtherSignatures() {
        GeoAssertionSigner signer = signerAt(Rfc8032.SIGNED_AT);
        byte[] pinned = Rfc8032.signedAssertion().signature();

        assertThat(signer.sign("u4prv", "GB").signature()).isNotEqualTo(pinned);
        assertThat(signer.sign("u4pru", "FR").signature()).isNotEqualTo(pinned);
        assertThat(signer.sign("u4pr", "GB").signature()).isNotEqualTo(pinned);
    }

    @Test
    void customWindowSetsNotAfter() {
        AssertionWindow window = new AssertionWindow(Duration.ofMinutes(5), Duration.ofMinutes(30));
        GeoAssertionSigner signer = GeoAssertionSigner.of(List.of(K1), "k1", window, clockAt(301));

        assertThat(signer.sign("u", "GB").notAfter()).isEqualTo(2400);
        assertThat(signer.window()).isEqualTo(window);
    }

    @Test
    void rotatesBetweenHeldKeys() {
        GeoAssertionSigner signer =
                GeoAssertionSigner.of(List.of(K1, K2), "k1", AssertionWindow.DEFAULT, clockAt(Rfc8032.SIGNED_AT));
        GeoAssertionSigner rotated = signer.withActiveKey("k2");

        assertThat(signer.activeKeyId()).isEqualTo("k1");
        assertThat(signer.sign("u4pru", "GB").toHeaderValue()).isEqualTo(Rfc8032.FIELD);
        assertThat(rotated.activeKeyId()).isEqualTo("k2");
        GeoAssertion byK2 = rotated.sign("u4pru", "GB");
        assertThat(byK2.keyId()).isEqualTo("k2");
        assertThat(byK2.signature()).isNotEqualTo(Rfc8032.signedAssertion().signature());

        assertThat(signer.publicKeys()).containsOnlyKeys("k1", "k2");
        assertThat(signer.publicKeys().keySet()).containsExactly("k1", "k2");
        assertThat(raw(signer.publicKeys().get("k2"))).isEqualTo(Hex.bytes(Rfc8032.TEST2_PUBLIC));
        GeoAssertionVerifier verifier = GeoAssertionVerifier.of(
                signer.publicKeys(), AssertionWindow.DEFAULT, Duration.ZERO, clockAt(Rfc8032.SIGNED_AT));
        assertThat(verifier.verify(byK2, new SecChGeohash("u4pru", "GB"))).isEqualTo(byK2);
    }

    @Test
    void rejectsInconsistentKeySets() {
        assertThatThrownBy(() -> GeoAssertionSigner.of(
                        List.of(K1, SigningKey.of("k1", Rfc8032.test2())), "k1", AssertionWindow.DEFAULT, clockAt(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keys: key id k1 appears twice");
        assertThatThrownBy(() -> GeoAssertionSigner.of(List.of(K1), "k2", AssertionWindow.DEFAULT, clockAt(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("activeKeyId: k2 (expected: one of [k1])");
        assertThatThrownBy(() -> signerAt(0).withActiveKey("k9")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesToSignInvalidLocations() {
        assertThatThrownBy(() -> signerAt(0).sign("u4pra", "GB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("geohash has 'a' at index 4");
        assertThatThrownBy(() -> signerAt(0).sign("u4pru", "United Kingdom"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("country is not two upper-case letters");
    }

    @Test
    void signingKeyChecksItsPartsAndHidesThePrivateKey() {
        PublicKey test2Public = Ed25519Keys.publicKeyOf(Rfc8032.test2());

        assertThatThrownBy(() -> new SigningKey("k1", Rfc8032.test1(), test2Public))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("publicKey: not the public key of privateKey");
        assertThatThrownBy(() -> SigningKey.of("k 1", Rfc8032.test1()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyId has ' ' at index 1 (expected: A-Z a-z 0-9 _ -)");
        assertThat(SigningKey.of(Rfc8032.test1()).keyId()).isEqualTo("BuP9j9opu2A");
        assertThat(K1).hasToString("SigningKey[keyId=k1]");
    }

    private static byte[] raw(PublicKey key) {
        return Ed25519Keys.rawPublicKey(key);
    }
}
