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
