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
import static org.masquerelay.protocol.geo.Rfc8032.FIELD;
import static org.masquerelay.protocol.geo.Rfc8032.NOT_AFTER;
import static org.masquerelay.protocol.geo.Rfc8032.SIGNED_AT;
import static org.masquerelay.protocol.geo.Rfc8032.clockAt;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.masquerelay.protocol.geo.GeoAssertionException.Reason;

/** The egress's checks (docs/architecture.md §4), one refusal reason at a time. */
class GeoAssertionVerifierTest {

    private static final PublicKey TEST1 = Ed25519Keys.publicKeyOf(Rfc8032.test1());
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final SecChGeohash ASSERTED = new SecChGeohash("u4pru", "GB");

    private static GeoAssertionVerifier verifierAt(long epochSecond) {
        return GeoAssertionVerifier.of(Map.of("k1", TEST1), AssertionWindow.DEFAULT, SKEW, clockAt(epochSecond));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
            GeoAssertionVerifier verifier, GeoAssertion assertion, SecChGeohash requested, Reason reason) {
        return Refusals.assertRefused(() -> verifier.verify(assertion, requested), reason);
    }

    /** The pinned assertion with one component replaced, keeping the original signature. */
    private static GeoAssertion altered(String geohash, String country, long notAfter, String keyId) {
        return new GeoAssertion(
                geohash, country, notAfter, keyId, Rfc8032.signedAssertion().signature());
    }

    @Test
    void acceptsThePinnedFieldsAtSigningTime() {
        GeoAssertion verified = verifierAt(SIGNED_AT).verify(FIELD, "\"u4pru-GB\"");

        assertThat(verified).isEqualTo(Rfc8032.signedAssertion());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"u4pru-GB\"", "\"u4pr-GB\"", "\"u4p-GB\"", "\"u-GB\""})
    void acceptsTheAssertedCellOrAnyCoarserOne(String requested) {
        assertThat(verifierAt(SIGNED_AT).verify(FIELD, requested).geohash()).isEqualTo("u4pru");
    }

    @Test
    void malformedFieldsAreMalformed() {
        Refusals.assertRefused(
                () -> verifierAt(SIGNED_AT).verify(FIELD.replace("u4pru", "u4pra"), "\"u4pru-GB\""), Reason.MALFORMED);
        Refusals.assertRefused(() -> verifierAt(SIGNED_AT).verify(FIELD, "u4pru-GB"), Reason.MALFORMED);
    }

    @Test
    void unknownKeyIdIsRefused() {
        GeoAssertionVerifier trustsOnlyK2 =
                GeoAssertionVerifier.of(Map.of("k2", TEST1), AssertionWindow.DEFAULT, SKEW, clockAt(SIGNED_AT));

        assertRefused(trustsOnlyK2, Rfc8032.signedAssertion(), ASSERTED, Reason.UNKNOWN_KEY)
                .hasMessage("geo-assertion: signed by unknown key id k1");
    }

    @Test
    void alteredOrForeignSignaturesAreForged() {
        GeoAssertionVerifier verifier = GeoAssertionVerifier.of(
                Map.of("k1", TEST1, "k2", TEST1), AssertionWindow.DEFAULT, SKEW, clockAt(SIGNED_AT));

        // Every signed component is covered: geohash, country, not_after and key id.
        assertRefused(
                        verifier,
                        altered("u4prv", "GB", NOT_AFTER, "k1"),
                        new SecChGeohash("u4prv", "GB"),
                        Reason.BAD_SIGNATURE)
                .hasMessage("geo-assertion: signature does not verify with key k1");
        assertRefused(
                verifier,
                altered("u4pru", "FR", NOT_AFTER, "k1"),
                new SecChGeohash("u4pru", "FR"),
                Reason.BAD_SIGNATURE);
        assertRefused(verifier, altered("u4pru", "GB", NOT_AFTER - 600, "k1"), ASSERTED, Reason.BAD_SIGNATURE);
        assertRefused(verifier, altered("u4pru", "GB", NOT_AFTER, "k2"), ASSERTED, Reason.BAD_SIGNATURE);

        byte[] flipped = Rfc8032.signedAssertion().signature();
        flipped[10] ^= 1;
        assertRefused(
                verifier, new GeoAssertion("u4pru", "GB", NOT_AFTER, "k1", flipped), ASSERTED, Reason.BAD_SIGNATURE);

        GeoAssertion byOtherKey = GeoAssertionSigner.of(SigningKey.of("k1", Rfc8032.test2()), clockAt(SIGNED_AT))
                .sign("u4pru", "GB");
        assertRefused(verifier, byOtherKey, ASSERTED, Reason.BAD_SIGNATURE);

        byte[] noPoint = new byte[64];
        java.util.Arrays.fill(noPoint, (byte) 0xff); // R does not decode to a point (RFC 8032 §5.1.7)
        assertRefused(
                verifier, new GeoAssertion("u4pru", "GB", NOT_AFTER, "k1", noPoint), ASSERTED, Reason.BAD_SIGNATURE);
    }

    @Test
    void expiresAfterNotAfterPlusSkew() {
        assertThat(verifierAt(NOT_AFTER).verify(Rfc8032.signedAssertion(), ASSERTED))
                .isNotNull();
        assertThat(verifierAt(NOT_AFTER + 30).verify(Rfc8032.signedAssertion(), ASSERTED))
                .isNotNull();

        assertRefused(verifierAt(NOT_AFTER + 31), Rfc8032.signedAssertion(), ASSERTED, Reason.EXPIRED)
                .hasMessage("geo-assertion: expired 31 s ago (skew allowed: 30 s)");
    }

    @Test
    void expiryIsCheckedBeforeTheSignature() {
        // An expired replay costs no signature verification, whatever its signature.
        GeoAssertion forgedAndExpired = new GeoAssertion("u4pru", "GB", NOT_AFTER, "k1", new byte[64]);

        assertRefused(verifierAt(NOT_AFTER + 31), forgedAndExpired, ASSERTED, Reason.EXPIRED);
        assertRefused(verifierAt(NOT_AFTER), forgedAndExpired, ASSERTED, Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesNotAfterFurtherAheadThanWindowPlusValidityPlusSkew() {
        long earliest = NOT_AFTER - (600 + 3600 + 30);

        assertThat(verifierAt(earliest).verify(Rfc8032.signedAssertion(), ASSERTED))
                .isNotNull();
        assertRefused(verifierAt(earliest - 1), Rfc8032.signedAssertion(), ASSERTED, Reason.NOT_AFTER_TOO_FAR)
                .hasMessage("geo-assertion: expires in 4231 s (expected: at most 4230 s, window + validity + skew)");
    }

    @Test
    void zeroSkewIsExact() {
        GeoAssertionVerifier strict = GeoAssertionVerifier.of(
                Map.of("k1", TEST1), AssertionWindow.DEFAULT, Duration.ZERO, clockAt(NOT_AFTER + 1));

        assertRefused(strict, Rfc8032.signedAssertion(), ASSERTED, Reason.EXPIRED);
    }

    @Test
    void otherCountryIsRefused() {
        assertRefused(
                        verifierAt(SIGNED_AT),
                        Rfc8032.signedAssertion(),
                        new SecChGeohash("u4pru", "FR"),
                        Reason.COUNTRY_MISMATCH)
                .hasMessage("sec-ch-geohash: country FR is not the asserted GB");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"u4prv", "u4pr0", "u4q", "b"})
    void geohashThatIsNotAPrefixIsRefused(String geohash) {
        assertRefused(
                        verifierAt(SIGNED_AT),
                        Rfc8032.signedAssertion(),
                        new SecChGeohash(geohash, "GB"),
                        Reason.GEOHASH_NOT_PREFIX)
                .hasMessage("sec-ch-geohash: geohash is not a prefix of the asserted one");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"u4pru0", "u4prv0"})
    void geohashFinerThanTheAssertedOneIsRefused(String geohash) {
        assertRefused(
                        verifierAt(SIGNED_AT),
                        Rfc8032.signedAssertion(),
                        new SecChGeohash(geohash, "GB"),
                        Reason.GEOHASH_TOO_FINE)
                .hasMessage("sec-ch-geohash: geohash has 6 characters, finer than the asserted 5");
    }

    @Test
    void aFieldWithoutTheCountryIsCheckedAgainstTheAssertedCountry() {
        GeoAssertionVerifier verifier = verifierAt(SIGNED_AT);
        String assertion = Rfc8032.signedAssertion().toHeaderValue();

        assertThat(verifier.verify(assertion, "\"u4pr\"").geohash()).isEqualTo("u4pru");
        assertThat(verifier.verify(assertion, "\"u4pru-GB\"").geohash()).isEqualTo("u4pru");
        Refusals.assertRefused(() -> verifier.verify(assertion, "\"u4prv\""), Reason.GEOHASH_NOT_PREFIX);
        Refusals.assertRefused(() -> verifier.verify(assertion, "\"u4pru-FR\""), Reason.COUNTRY_MISMATCH);
    }

    @Test
    void rejectsBadConfiguration() throws Exception {
        PublicKey ed448 =
                KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic();

        assertThatThrownBy(
                        () -> GeoAssertionVerifier.of(Map.of("k/1", TEST1), AssertionWindow.DEFAULT, SKEW, clockAt(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keys: key id has '/' at index 1 (expected: A-Z a-z 0-9 _ -)");
        assertThatThrownBy(
                        () -> GeoAssertionVerifier.of(Map.of("k1", ed448), AssertionWindow.DEFAULT, SKEW, clockAt(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: EdDSA (expected: Ed25519)");
        assertThatThrownBy(() -> GeoAssertionVerifier.of(
                        Map.of("k1", TEST1), AssertionWindow.DEFAULT, Duration.ofSeconds(-1), clockAt(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("skew: PT-1S (expected: a whole number of seconds, at least PT0S)");
    }
}
