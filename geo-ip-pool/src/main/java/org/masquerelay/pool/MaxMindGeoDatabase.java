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

import com.maxmind.db.InvalidDatabaseException;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.record.Subdivision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.masquerelay.config.ConfigException;

/**
 * A MaxMind DB City database ({@code .mmdb}: GeoIP2/GeoLite2 City or any database of the same
 * shape), read through MaxMind's {@link DatabaseReader}, which memory-maps the file.
 *
 * <p>A record becomes a {@link GeoLocation} only if it has coordinates and a country: the geo
 * assertion needs both. The region is the first (largest) subdivision, written as ISO 3166-2
 * ({@code GB} + {@code ENG} gives {@code GB-ENG}); the city is its English name. Values outside
 * the ISO shapes are dropped rather than failing the lookup.
 */
public final class MaxMindGeoDatabase implements GeoDatabase {
    private final DatabaseReader reader;

    private MaxMindGeoDatabase(DatabaseReader reader) {
        this.reader = reader;
    }

    /** Opens a City database; anything else (a Country or ASN database, a corrupt file) is refused here. */
    public static MaxMindGeoDatabase open(Path file) throws ConfigException {
        if (!Files.isReadable(file)) {
            throw new ConfigException(file.toString(), List.of("file not found or not readable"));
        }
        DatabaseReader reader;
        try {
            reader = new DatabaseReader.Builder(file.toFile())
                    .locales(List.of("en"))
                    .build();
        } catch (InvalidDatabaseException e) {
            throw new ConfigException(file.toString(), List.of("not a MaxMind DB file: " + e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("unreadable: " + e.getMessage()));
        } catch (UnsupportedOperationException e) {
            // The reader refuses database types it does not know at all.
            throw new ConfigException(
                    file.toString(),
                    List.of("database_type (expected: a City database such as " + "GeoLite2-City; " + e.getMessage()
                            + ")"));
        }
        String type = reader.getMetadata().getDatabaseType();
        if (!type.contains("City")) {
            closeQuietly(reader);
            throw new ConfigException(
                    file.toString(),
                    List.of("database_type: " + type + " (expected: a City database such as GeoLite2-City)"));
        }
        return new MaxMindGeoDatabase(reader);
    }

    @Override
    public Optional<GeoLocation> lookup(InetAddress address) {
        Optional<CityResponse> found;
        try {
            found = reader.tryCity(GeoDatabase.unmapped(address));
        } catch (IOException e) {
            throw new UncheckedIOException("geo database read failed", e);
        } catch (GeoIp2Exception e) {
            throw new IllegalStateException("geo database lookup failed", e);
        }
        return found.flatMap(MaxMindGeoDatabase::toLocation);
    }

    private static Optional<GeoLocation> toLocation(CityResponse r) {
        Double lat = r.getLocation().getLatitude();
        Double lon = r.getLocation().getLongitude();
        String country = r.getCountry().getIsoCode();
        if (lat == null || lon == null || country == null || !country.matches("[A-Z]{2}")) {
            return Optional.empty();
        }
        List<Subdivision> subdivisions = r.getSubdivisions();
        String region = "";
        if (!subdivisions.isEmpty() && subdivisions.get(0).getIsoCode() != null) {
            String candidate = country + "-" + subdivisions.get(0).getIsoCode();
            region = Iso3166.isSubdivisionOf(candidate, country) ? candidate : "";
        }
        String city = r.getCity().getName();
        city = city == null || !GeofeedEntry.isFreeText(city) ? "" : city;
        return Optional.of(new GeoLocation(lat, lon, country, region, city));
    }

    @Override
    public void close() {
        closeQuietly(reader);
    }

    private static void closeQuietly(DatabaseReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            // Closing only unmaps the file; nothing is lost if that fails.
        }
    }
}
