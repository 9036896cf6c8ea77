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
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.masquerelay.protocol.geo.GeoAssertionException.Reason;

/**
 * Checks a client's location at the egress (docs/architecture.md §4): that the {@code geo-assertion} was signed
 * (<a href="https://www.rfc-editor.org/rfc/rfc8032#section-5.1.7">RFC 8032 §5.1.7</a>) by a
 * trusted ingress key, has not expired, is not dated further ahead than the {@link
 * AssertionWindow} allows, and covers the {@code sec-ch-geohash} the client asks for: the same
 * country if the field names one, and a geohash that is a prefix of the asserted one.
 *
 * <p>The cheap checks run first (key id, then times), so a replayed expired assertion or a
 * made-up key id costs no signature verification; the location is compared last, once the
 * assertion is known to be genuine.
 *
 * <p>Immutable and thread-safe.
 */
public final class GeoAssertionVerifier {

    /** Clock skew tolerated between ingress and egress unless configured otherwise. */
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);

    private final Map<String, PublicKey> keys;
    private final long maxAheadSeconds;
    private final long skewSeconds;
    private final Clock clock;

    private GeoAssertionVerifier(Map<String, PublicKey> keys, long maxAheadSeconds, long skewSeconds, Clock clock) {
        this.keys = keys;
        this.maxAheadSeconds = maxAheadSeconds;
        this.skewSeconds = skewSeconds;
        this.clock = clock;
    }

    /**
     * Returns a verifier that trusts {@code keys}.
     *
     * @param keys the ingress public keys by key id
     * @param window the ingress's window, which bounds how far ahead {@code not_after} may lie
     * @param skew tolerated clock difference, whole seconds, zero or more
     * @param clock the egress's clock
     * @throws IllegalArgumentException if a key id is outside its syntax, a key is not Ed25519, or
     *     {@code skew} is negative or not whole seconds
     */
    public static GeoAssertionVerifier of(
            Map<String, PublicKey> keys, AssertionWindow window, Duration skew, Clock clock) {
        Map<String, PublicKey> copy = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            GeoSyntax.require("keys: key id", GeoSyntax.keyIdProblem(id));
            copy.put(id, Ed25519Keys.requireEd25519(key));
        });
        Objects.requireNonNull(skew, "skew");
        if (skew.isNegative() || skew.getNano() != 0) {
            throw new IllegalArgumentException(
                    "skew: " + skew + " (expected: a whole number of seconds, at least PT0S)");
        }
        return new GeoAssertionVerifier(
                Map.copyOf(copy),
                window.maxLifetimeSeconds(),
                skew.getSeconds(),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Parses and checks the two request fields.
     *
     * @return the verified assertion
     * @throws GeoAssertionException if either field is malformed or a check fails; {@link
     *     GeoAssertionException#reason()} says which
     */
    public GeoAssertion verify(String geoAssertionField, String secChGeohashField) {
        GeoAssertion assertion = GeoAssertion.parse(geoAssertionField);
        return verify(assertion, SecChGeohash.parseRequested(secChGeohashField));
    }

    /**
     * Checks that {@code assertion} is genuine and current and covers {@code requested}.
     *
     * @return {@code assertion}
     * @throws GeoAssertionException if a check fails; {@link GeoAssertionException#reason()} says
     *     which
     */
    public GeoAssertion verify(GeoAssertion assertion, SecChGeohash requested) {
        return verify(assertion, new SecChGeohash.Requested(requested.geohash(), requested.country()));
    }

    /**
     * Checks that {@code assertion} is genuine and current and covers {@code requested}.
     *
     * @return {@code assertion}
     * @throws GeoAssertionException if a check fails; {@link GeoAssertionException#reason()} says
     *     which
     */
    public GeoAssertion verify(GeoAssertion assertion, SecChGeohash.Requested requested) {
        PublicKey key = keys.get(assertion.keyId());
        if (key == null) {
            throw new GeoAssertionException(
                    Reason.UNKNOWN_KEY, GeoAssertion.FIELD + ": signed by unknown key id " + assertion.keyId());
        }
        long now = clock.instant().getEpochSecond();
        if (now - skewSeconds > assertion.notAfter()) {
            throw new GeoAssertionException(
                    Reason.EXPIRED,
                    GeoAssertion.FIELD + ": expired " + (now - assertion.notAfter()) + " s ago (skew allowed: "
                            + skewSeconds + " s)");
        }
        if (assertion.notAfter() - now > maxAheadSeconds + skewSeconds) {
            throw new GeoAssertionException(
                    Reason.NOT_AFTER_TOO_FAR,
                    GeoAssertion.FIELD
                            + ": expires in " + (assertion.notAfter() - now) + " s (expected: at most "
                            + (maxAheadSeconds + skewSeconds) + " s, window + validity + skew)");
        }
        if (!signatureVerifies(key, assertion)) {
            throw new GeoAssertionException(
                    Reason.BAD_SIGNATURE,
                    GeoAssertion.FIELD + ": signature does not verify with key " + assertion.keyId());
        }
        String country = requested.country();
        if (country != null && !country.equals(assertion.country())) {
            throw new GeoAssertionException(
                    Reason.COUNTRY_MISMATCH,
                    SecChGeohash.FIELD + ": country " + country + " is not the asserted " + assertion.country());
        }
        if (requested.geohash().length() > assertion.geohash().length()) {
            throw new GeoAssertionException(
                    Reason.GEOHASH_TOO_FINE,
                    SecChGeohash.FIELD + ": geohash has " + requested.geohash().length()
                            + " characters, finer than the asserted "
                            + assertion.geohash().length());
        }
        if (!assertion.geohash().startsWith(requested.geohash())) {
            throw new GeoAssertionException(
                    Reason.GEOHASH_NOT_PREFIX, SecChGeohash.FIELD + ": geohash is not a prefix of the asserted one");
        }
        return assertion;
    }

    private static boolean signatureVerifies(PublicKey key, GeoAssertion assertion) {
        try {
            Signature signature = Signature.getInstance(Ed25519Keys.ED25519);
            signature.initVerify(key);
            signature.update(assertion.toBeSigned());
            return signature.verify(assertion.signature());
        } catch (SignatureException e) {
            return false; // RFC 8032 §5.1.7: a signature that does not decode is invalid
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("trusted key " + assertion.keyId() + " is unusable", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks Ed25519", e);
        }
    }
}
