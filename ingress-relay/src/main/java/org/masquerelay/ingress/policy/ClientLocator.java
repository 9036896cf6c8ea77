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
package org.masquerelay.ingress.policy;

import java.io.Closeable;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigException;
import org.masquerelay.ingress.config.GeolocationConfig;
import org.masquerelay.pool.GeoDatabase;
import org.masquerelay.pool.GeoLocation;
import org.masquerelay.pool.Geohashes;
import org.masquerelay.protocol.geo.GeoAssertion;
import org.masquerelay.protocol.geo.GeoAssertionSigner;
import org.masquerelay.protocol.geo.SecChGeohash;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;

/**
 * Turns a client address into the signed, coarse location the egress routes by (docs/architecture.md §4): a
 * geo-database look-up, a geohash of the configured precision, and an Ed25519
 * {@code geo-assertion}. The assertion holds only the cell, the country, the window's
 * {@code not_after} and the key id, so every client of one cell and window gets the same bytes
 * and the two hops cannot be linked through it.
 *
 * <p>Thread-safe: the database readers and the signer are.
 */
public final class ClientLocator implements Closeable {
    private final GeoDatabase database;
    private final int precision;
    private final GeoAssertionSigner signer;
    private final @Nullable SecChGeohash fallback;

    ClientLocator(GeoDatabase database, int precision, GeoAssertionSigner signer, @Nullable SecChGeohash fallback) {
        this.database = database;
        this.precision = precision;
        this.signer = signer;
        this.fallback = fallback;
    }

    /** Opens the configured database and keys. */
    public static ClientLocator open(GeolocationConfig config, Clock clock) throws ConfigException {
        return open(config, GeoDatabase.open(Objects.requireNonNull(config.database(), "database")), clock);
    }

    /**
     * The configured keys, precision and unknown-location policy over an already open {@code
     * database}, which the locator then owns; for callers that share one database or replace it
     * (the research simulator's {@code --perfect-geo}).
     */
    public static ClientLocator open(GeolocationConfig config, GeoDatabase database, Clock clock) {
        GeoAssertionSigner signer =
                GeoAssertionSigner.of(config.keys(), config.activeKeyOrDefault(), config.assertionWindow(), clock);
        return new ClientLocator(database, config.precisionOrDefault(), signer, config.fallbackLocation());
    }

    /** The location the assertion for {@code client} would carry, if the policy gives one. */
    public Optional<SecChGeohash> locate(InetAddress client) {
        Optional<GeoLocation> found = database.lookup(client);
        if (found.isPresent()) {
            GeoLocation l = found.get();
            return Optional.of(new SecChGeohash(Geohashes.encode(l, precision), l.country()));
        }
        return Optional.ofNullable(fallback);
    }

    /**
     * The {@code geo-assertion} field value for {@code client}.
     *
     * @throws RelayException {@code http_request_denied} when the database does not know the
     *     client and the policy denies unknown locations
     */
    public String assertionFor(InetAddress client) {
        SecChGeohash location = locate(client)
                .orElseThrow(() -> new RelayException(
                        ProxyErrorType.HTTP_REQUEST_DENIED, Side.DOWNSTREAM, "client location unknown"));
        GeoAssertion a = signer.sign(location);
        return a.toHeaderValue();
    }

    @Override
    public void close() {
        database.close();
    }
}
