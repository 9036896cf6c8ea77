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
 * requested {@code sec-ch-geohash} must be a prefix of the asserted cell in the same country.
 * Any failure is 403 with {@code proxy-status: egress; error=http_request_denied;
 * details="invalid geohash"}; the reason goes to the DEBUG log only. Thread-safe.
 */
public final class LocationVerifier {
    /** The {@code details} of every refused location. */
    public static final String INVALID_GEOHASH = "invalid geohash";

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
     * @throws RelayException 403 {@code http_request_denied}: {@code invalid geohash} when the
     *     fields are missing or fail a check, {@code no egress city} when the pool's policy has
     *     no city for the country
     */
    public CityMatch cityFor(Http3Headers request) {
        CharSequence assertion = request.get(GeoAssertion.FIELD);
        CharSequence requested = request.get(SecChGeohash.FIELD);
        if (assertion == null || requested == null) {
            throw denied("missing " + (assertion == null ? GeoAssertion.FIELD : SecChGeohash.FIELD));
        }
        SecChGeohash location;
        try {
            verifier.verify(assertion.toString(), requested.toString());
            location = SecChGeohash.parse(requested.toString());
        } catch (GeoAssertionException e) {
            throw denied(e.reason() + ": " + e.getMessage());
        }
        return registry.nearest(location.geohash(), location.country())
                .orElseThrow(() -> new RelayException(
                        ProxyErrorType.HTTP_REQUEST_DENIED,
                        Side.DOWNSTREAM,
                        "no egress city for " + location.country()));
    }

    private static RelayException denied(String why) {
        log.debug("location refused: {}", why);
        return new RelayException(ProxyErrorType.HTTP_REQUEST_DENIED, Side.DOWNSTREAM, INVALID_GEOHASH);
    }
}
