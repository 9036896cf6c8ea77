package org.masquerelay.pool;

/**
 * A latitude and longitude in decimal degrees (WGS 84, as geohashes and MaxMind databases use
 * them), and the great-circle distance between two of them.
 *
 * <p>Distances use the haversine formula on a sphere of the IUGG mean Earth radius. Its error
 * against the ellipsoid is under 0.5 %, far below what choosing between cities needs.
 */
public record Coordinates(double latitude, double longitude) {
    /** IUGG mean Earth radius R1, in kilometres. */
    public static final double EARTH_RADIUS_KM = 6371.0088;

    public Coordinates {
        if (!(latitude >= -90 && latitude <= 90)) {
            throw new IllegalArgumentException("latitude " + latitude + " (expected: -90 to 90)");
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("longitude " + longitude + " (expected: -180 to 180)");
        }
    }

    /** Great-circle distance to {@code other}, in kilometres. */
    public double distanceKm(Coordinates other) {
        double phi1 = Math.toRadians(latitude);
        double phi2 = Math.toRadians(other.latitude);
        double dPhi = phi2 - phi1;
        double dLambda = Math.toRadians(other.longitude - longitude);
        double h = sinSquared(dPhi / 2) + Math.cos(phi1) * Math.cos(phi2) * sinSquared(dLambda / 2);
        // min() guards asin against rounding just above 1 for antipodal points.
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    private static double sinSquared(double x) {
        double s = Math.sin(x);
        return s * s;
    }
}
