/**
 * Location for geo-preserving egress (docs/architecture.md §4), in the order a request meets it.
 *
 * <ol>
 *   <li>Ingress: a {@link org.masquerelay.pool.GeoDatabase} (CSV or MaxMind City) places the client
 *       address; {@link org.masquerelay.pool.Geohashes} encodes it as a coarse geohash.</li>
 *   <li>Egress: the {@link org.masquerelay.pool.PoolRegistry}, loaded from the pool file
 *       ({@link org.masquerelay.pool.PoolConfig}), picks the nearest city of the asserted
 *       country, and {@link org.masquerelay.pool.AddressSelector} picks the source address in
 *       it.</li>
 *   <li>Targets: {@link org.masquerelay.pool.Geofeed} publishes the same prefixes as an RFC 8805
 *       feed, so websites place those addresses in the same cities.</li>
 * </ol>
 */
@NullMarked
package org.masquerelay.pool;

import org.jspecify.annotations.NullMarked;
