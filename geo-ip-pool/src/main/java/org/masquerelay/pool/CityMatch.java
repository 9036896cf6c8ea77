package org.masquerelay.pool;

/**
 * The city {@link PoolRegistry#nearest} chose for a geohash and country, and why.
 *
 * @param distanceKm great-circle distance from the geohash cell centre to the city
 */
public record CityMatch(City city, double distanceKm, Reason reason) {
    /** Which rule of docs/architecture.md §4 picked the city. */
    public enum Reason {
        /** The nearest city in the asserted country. */
        IN_COUNTRY,
        /** The country has no city; {@code country-fallbacks} names one. */
        COUNTRY_FALLBACK,
        /** The country has no city and no fallback entry; {@code fallback: nearest-any} applied. */
        NEAREST_ANY
    }
}
