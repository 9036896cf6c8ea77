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
package org.masquerelay.egress.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.masquerelay.config.ConfigException;
import org.masquerelay.pool.CityMatch;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.geo.AssertionWindow;
import org.masquerelay.protocol.geo.Ed25519Keys;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.geo.GeoAssertionSigner;
import org.masquerelay.protocol.geo.GeoAssertionVerifier;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.geo.SigningKey;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;

/**
 * The egress's location check (docs/architecture.md §4): a request's {@code geo-assertion} and
 * {@code sec-ch-geohash} either map to a pool city or give 403 {@code http_request_denied} with
 * a {@code details} for each reason.
 */
class LocationVerifierTest {

    /** 2025-11-24T15:55:12Z; the default window gives not_after 1764003600. */
    private static final long NOW = 1_763_999_712L;

    private static final Duration SKEW = Duration.ofSeconds(30);

    private static final SigningKey K1 = SigningKey.of("k1", Ed25519Keys.privateKeyFromSeed(seed(1)));
    private static final SigningKey OTHER = SigningKey.of("k1", Ed25519Keys.privateKeyFromSeed(seed(2)));

    private static final PoolRegistry POOL = pool();

    private static final String LONDON = "gcpvj";

    private static byte[] seed(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    private static PoolRegistry pool() {
        try {
            return PoolRegistry.parse("pool.yaml", """
                    fallback: deny
                    cities:
                      - {id: london, name: London, country: GB, latitude: 51.5072, longitude: -0.1276,
                         prefixes: [192.0.2.0/28]}
                      - {id: manchester, name: Manchester, country: GB, latitude: 53.4808, longitude: -2.2426,
                         prefixes: [192.0.2.16/28]}
                      - {id: paris, name: Paris, country: FR, latitude: 48.8566, longitude: 2.3522,
                         prefixes: [192.0.2.32/28]}
                    """);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    private static Clock at(long epochSecond) {
        return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }

    /** A verifier that trusts {@link #K1}, with its clock at {@code epochSecond}. */
    private static LocationVerifier verifierAt(long epochSecond) {
        return new LocationVerifier(
                GeoAssertionVerifier.of(Map.of("k1", K1.publicKey()), AssertionWindow.DEFAULT, SKEW, at(epochSecond)),
                POOL);
    }

    private static GeoAssertion signed(SigningKey key, String geohash, String country) {
        return GeoAssertionSigner.of(key, at(NOW)).sign(geohash, country);
    }

    private static Http3Headers request(GeoAssertion assertion, String geohash, String country) {
        return request(assertion.toHeaderValue(), new SecChGeohash(geohash, country).toHeaderValue());
    }

    private static Http3Headers request(String assertion, String location) {
        Http3Headers h = new DefaultHttp3Headers();
        if (assertion != null) {
            h.set(GeoAssertion.FIELD, assertion);
        }
        if (location != null) {
            h.set(SecChGeohash.FIELD, location);
        }
        return h;
    }

    private static void assertDenied(ThrowingCallable call, String details) {
        assertThatThrownBy(call).isInstanceOfSatisfying(RelayException.class, e -> {
            assertThat(e.type()).isEqualTo(ProxyErrorType.HTTP_REQUEST_DENIED);
            assertThat(e.side()).isEqualTo(Side.DOWNSTREAM);
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.details()).isEqualTo(details);
        });
    }

    @Test
    void aValidAssertionMapsToTheNearestCityOfItsCountry() {
        CityMatch match = verifierAt(NOW).cityFor(request(signed(K1, LONDON, "GB"), LONDON, "GB"));

        assertThat(match.city().id()).isEqualTo("london");
        assertThat(match.reason()).isEqualTo(CityMatch.Reason.IN_COUNTRY);
        assertThat(match.distanceKm()).isLessThan(10);
    }

    @Test
    void aCoarserRequestedCellIsAccepted() {
        CityMatch match = verifierAt(NOW).cityFor(request(signed(K1, LONDON, "GB"), "gcp", "GB"));

        assertThat(match.city().id()).isIn("london", "manchester");
    }

    @Test
    void anAssertionIsValidUntilNotAfterPlusSkew() {
        GeoAssertion assertion = signed(K1, LONDON, "GB");
        Http3Headers request = request(assertion, LONDON, "GB");

        assertThat(verifierAt(assertion.notAfter() + 30).cityFor(request).city().id())
                .isEqualTo("london");
        assertDenied(() -> verifierAt(assertion.notAfter() + 31).cityFor(request), "geo-assertion expired");
    }

    @Test
    void anAssertionFromAnUntrustedKeyIsRefused() {
        // Same key id, other key: the signature does not verify.
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(OTHER, LONDON, "GB"), LONDON, "GB")),
                "geo-assertion signature invalid");
        // A key id the egress does not trust at all.
        SigningKey k9 = SigningKey.of("k9", K1.privateKey());
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(k9, LONDON, "GB"), LONDON, "GB")),
                "geo-assertion signed by an unknown key");
    }

    @Test
    void anAlteredAssertionIsRefused() {
        GeoAssertion genuine = signed(K1, LONDON, "GB");
        byte[] flipped = genuine.signature();
        flipped[0] ^= 1;
        GeoAssertion badSignature =
                new GeoAssertion(genuine.geohash(), genuine.country(), genuine.notAfter(), "k1", flipped);
        GeoAssertion movedToParis = new GeoAssertion("u09tv", "FR", genuine.notAfter(), "k1", genuine.signature());

        assertDenied(
                () -> verifierAt(NOW).cityFor(request(badSignature, LONDON, "GB")), "geo-assertion signature invalid");
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(movedToParis, "u09tv", "FR")), "geo-assertion signature invalid");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gcpvk", "gcpv0", "u09tv", "b"})
    void aGeohashThatIsNotAPrefixOfTheAssertedOneIsRefused(String geohash) {
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(K1, LONDON, "GB"), geohash, "GB")),
                "sec-ch-geohash outside the asserted cell");
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(K1, LONDON, "GB").toHeaderValue(), "\"" + geohash + "\"")),
                "sec-ch-geohash outside the asserted cell");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"gc\"", "\"gc-GB\"", "\"gcpvj\"", "\"gcpvj-GB\"", " \"g\" "})
    void theGeohashIsAcceptedWithAndWithoutTheCountrySuffix(String field) {
        // The draft writes "gc"; Cloudflare, and our client, "gc-GB". Without the suffix the
        // country is the asserted one.
        CityMatch match =
                verifierAt(NOW).cityFor(request(signed(K1, LONDON, "GB").toHeaderValue(), field));

        assertThat(match.city().country()).isEqualTo("GB");
    }

    @Test
    void anotherCountryIsRefused() {
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(K1, LONDON, "GB"), LONDON, "FR")),
                "sec-ch-geohash country is not the asserted one");
    }

    @Test
    void aGeohashFinerThanTheAssertedCellIsRefused() {
        // A client may present itself more coarsely than asserted, never more finely.
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(K1, LONDON, "GB"), LONDON + "b", "GB")),
                "sec-ch-geohash finer than asserted");
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(K1, "gcp", "GB").toHeaderValue(), "\"" + LONDON + "\"")),
                "sec-ch-geohash finer than asserted");
        // Past the 12 characters a geohash may have, the field is malformed.
        String finest = signed(K1, "gcpvj0duq53u", "GB").toHeaderValue();
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(finest, "\"gcpvj0duq53ub-GB\"")), "malformed sec-ch-geohash");
    }

    @Test
    void missingOrMalformedFieldsAreRefused() {
        String assertion = signed(K1, LONDON, "GB").toHeaderValue();
        String location = new SecChGeohash(LONDON, "GB").toHeaderValue();

        assertDenied(() -> verifierAt(NOW).cityFor(request(null, location)), "missing geo-assertion");
        assertDenied(() -> verifierAt(NOW).cityFor(request(null, null)), "missing geo-assertion");
        assertDenied(() -> verifierAt(NOW).cityFor(request(assertion, null)), "missing sec-ch-geohash");
        assertDenied(() -> verifierAt(NOW).cityFor(request("gh=1", location)), "malformed geo-assertion");
        assertDenied(() -> verifierAt(NOW).cityFor(request(assertion, "gcpvj-GB")), "malformed sec-ch-geohash");
        assertDenied(() -> verifierAt(NOW).cityFor(request(assertion, "\"gcpvj-gb\"")), "malformed sec-ch-geohash");
        assertDenied(() -> verifierAt(NOW).cityFor(request(assertion, "\"gcpva\"")), "malformed sec-ch-geohash");
    }

    @Test
    void aCountryWithoutACityHasNoEgressCity() {
        // Genuine and covering, but the pool has no city for JP and its fallback is deny.
        assertDenied(
                () -> verifierAt(NOW).cityFor(request(signed(K1, "xn76c", "JP"), "xn76c", "JP")),
                "no egress city for JP");
    }
}
