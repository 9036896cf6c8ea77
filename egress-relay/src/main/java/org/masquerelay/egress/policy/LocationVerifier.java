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

import io.netty.handler.codec.http3.Http3Headers;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import org.masquerelay.egress.config.GeoRoutingConfig;
import org.masquerelay.pool.CityMatch;
import org.masquerelay.pool.PoolRegistry;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.geo.GeoAssertionException;
import org.masquerelay.protocol.geo.GeoAssertionVerifier;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a request's location fields and maps them to a pool city (docs/architecture.md §4): the
 * {@code geo-assertion} must be signed by a trusted ingress key and unexpired, and the
 * requested {@code sec-ch-geohash}, with or without its {@code "-CC"} suffix, must be a prefix of
 * the asserted cell, in the asserted country. A failure is 403 with {@code proxy-status: egress;
 * error=http_request_denied} and a {@code details} that says which check failed, so a client can
 * tell a field it got wrong from an assertion it must renew; it is one of our fixed phrases and
 * never repeats what the client sent. Thread-safe.
 */
public final class LocationVerifier {
    private static final Logger log = LoggerFactory.getLogger(LocationVerifier.class);

    private final GeoAssertionVerifier verifier;
    private final PoolRegistry registry;

    public LocationVerifier(GeoAssertionVerifier verifier, PoolRegistry registry) {
        this.verifier = verifier;
        this.registry = registry;
    }

    public static LocationVerifier of(GeoRoutingConfig config, PoolRegistry registry, Clock clock) {
        return new LocationVerifier(
                GeoAssertionVerifier.of(config.keys(), config.assertionWindow(), config.maxClockSkewOrDefault(), clock),
                registry);
    }

    /**
     * The city a request is served from.
     *
     * @throws RelayException 403 {@code http_request_denied}, with the {@code details} of {@link
     *     #details} when the fields are missing or fail a check, {@code no egress city for CC}
     *     when the pool's policy has no city for the asserted country
     */
    public CityMatch cityFor(Http3Headers request) {
        CharSequence assertionField = request.get(GeoAssertion.FIELD);
        CharSequence requestedField = request.get(SecChGeohash.FIELD);
        if (assertionField == null) {
            throw denied("missing " + GeoAssertion.FIELD, "no field");
        }
        if (requestedField == null) {
            throw denied("missing " + SecChGeohash.FIELD, "no field");
        }
        GeoAssertion assertion;
        try {
            assertion = GeoAssertion.parse(assertionField.toString());
        } catch (GeoAssertionException e) {
            throw denied("malformed " + GeoAssertion.FIELD, e.getMessage());
        }
        SecChGeohash.Requested requested;
        try {
            requested = SecChGeohash.parseRequested(requestedField.toString());
        } catch (GeoAssertionException e) {
            throw denied("malformed " + SecChGeohash.FIELD, e.getMessage());
        }
        try {
            verifier.verify(assertion, requested);
        } catch (GeoAssertionException e) {
            throw denied(details(e.reason()), e.getMessage());
        }
        return registry.nearest(requested.geohash(), assertion.country())
                .orElseThrow(() -> new RelayException(
                        ProxyErrorType.HTTP_REQUEST_DENIED,
                        Side.DOWNSTREAM,
                        "no egress city for " + assertion.country()));
    }

    /** The {@code details} of a refusal for {@code reason}: fixed words, one phrase per check. */
    public static String details(GeoAssertionException.Reason reason) {
        return switch (reason) {
            case MALFORMED -> "malformed location field";
            case UNKNOWN_KEY -> "geo-assertion signed by an unknown key";
            case EXPIRED -> "geo-assertion expired";
            case NOT_AFTER_TOO_FAR -> "geo-assertion expiry too far ahead";
            case BAD_SIGNATURE -> "geo-assertion signature invalid";
            case COUNTRY_MISMATCH -> "sec-ch-geohash country is not the asserted one";
            case GEOHASH_TOO_FINE -> "sec-ch-geohash finer than asserted";
            case GEOHASH_NOT_PREFIX -> "sec-ch-geohash outside the asserted cell";
        };
    }

    private static RelayException denied(String details, @Nullable String why) {
        log.debug("location refused: {} ({})", details, why);
        return new RelayException(ProxyErrorType.HTTP_REQUEST_DENIED, Side.DOWNSTREAM, details);
    }
}
