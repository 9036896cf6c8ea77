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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.maxmind.geoip2.DatabaseReader;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;

class MaxMindGeoDatabaseTest {
    @TempDir
    Path dir;

    Path mmdb;

    @BeforeEach
    void writeFixture() throws Exception {
        mmdb = dir.resolve("city.mmdb");
        new MmdbWriter("MasqueRelay-Test-City")
                .insert(IpPrefix.parse("127.1.0.0/24"), MmdbWriter.cityRecord(51.5072, -0.1276, "GB", "ENG", "London"))
                .insert(IpPrefix.parse("127.2.0.0/24"), MmdbWriter.cityRecord(48.8566, 2.3522, "FR", "IDF", "Paris"))
                .insert(
                        IpPrefix.parse("2001:db8:3::/48"),
                        MmdbWriter.cityRecord(35.6762, 139.6503, "JP", "13", "Tokyo"))
                // No coordinates: an assertion cannot be made from it.
                .insert(IpPrefix.parse("127.4.0.0/24"), Map.of("country", Map.of("iso_code", "DE")))
                // A subdivision code outside the ISO 3166-2 shape is dropped, not fatal.
                .insert(
                        IpPrefix.parse("127.5.0.0/24"),
                        MmdbWriter.cityRecord(42.6629, 21.1655, "XK", "TOOLONG", "Pristina"))
                .write(mmdb);
    }

    @Test
    void fixtureIsReadableByMaxMindsOwnReader() throws Exception {
        // The fixture is checked against the reference reader directly, so a bug in the writer
        // cannot hide behind a matching bug in our adapter.
        try (DatabaseReader reader = new DatabaseReader.Builder(mmdb.toFile()).build()) {
            assertThat(reader.getMetadata().getDatabaseType()).isEqualTo("MasqueRelay-Test-City");
            assertThat(reader.getMetadata().getIpVersion()).isEqualTo(6);
            var london = reader.city(MmdbWriter.address("127.1.0.77"));
            assertThat(london.getCity().getName()).isEqualTo("London");
            assertThat(london.getCountry().getIsoCode()).isEqualTo("GB");
            assertThat(london.getMostSpecificSubdivision().getIsoCode()).isEqualTo("ENG");
            assertThat(london.getLocation().getLatitude()).isEqualTo(51.5072);
            assertThat(london.getLocation().getAccuracyRadius()).isEqualTo(20);
            assertThat(london.getTraits().getNetwork().toString()).isEqualTo("127.1.0.0/24");
            assertThat(reader.tryCity(MmdbWriter.address("127.3.0.1"))).isEmpty();
        }
    }

    @Test
    void looksUpIpv4AndIpv6Networks() throws Exception {
        try (MaxMindGeoDatabase db = MaxMindGeoDatabase.open(mmdb)) {
            assertThat(db.lookup(MmdbWriter.address("127.1.0.1")))
                    .contains(new GeoLocation(51.5072, -0.1276, "GB", "GB-ENG", "London"));
            assertThat(db.lookup(MmdbWriter.address("127.2.0.255")))
                    .contains(new GeoLocation(48.8566, 2.3522, "FR", "FR-IDF", "Paris"));
            assertThat(db.lookup(MmdbWriter.address("2001:db8:3:ffff::1")))
                    .contains(new GeoLocation(35.6762, 139.6503, "JP", "JP-13", "Tokyo"));
            assertThat(db.lookup(MmdbWriter.address("127.2.1.0"))).isEmpty();
            assertThat(db.lookup(MmdbWriter.address("2001:db8:4::1"))).isEmpty();
        }
    }

    @Test
    void ipv4MappedClientAddressesMatchIpv4Networks() throws Exception {
        byte[] mapped = IpPrefix.parseLiteral("::ffff:127.1.0.9");
        // Built with a scope so the JDK keeps it an Inet6Address, as dual-stack sockets may.
        InetAddress client = Inet6Address.getByAddress(null, mapped, 0);
        assertThat(client).isInstanceOf(Inet6Address.class);
        try (MaxMindGeoDatabase db = MaxMindGeoDatabase.open(mmdb)) {
            assertThat(db.lookup(client)).map(GeoLocation::city).contains("London");
        }
    }

    @Test
    void recordsWithoutCoordinatesOrWithOddCodesDegradeGracefully() throws Exception {
        try (MaxMindGeoDatabase db = MaxMindGeoDatabase.open(mmdb)) {
            assertThat(db.lookup(MmdbWriter.address("127.4.0.1"))).isEmpty();
            assertThat(db.lookup(MmdbWriter.address("127.5.0.1")))
                    .contains(new GeoLocation(42.6629, 21.1655, "XK", "", "Pristina"));
        }
    }

    @Test
    void geoDatabaseOpenPicksTheReaderByExtension() throws Exception {
        try (GeoDatabase db = GeoDatabase.open(mmdb)) {
            assertThat(db).isInstanceOf(MaxMindGeoDatabase.class);
            assertThat(db.lookup(MmdbWriter.address("127.1.0.1")).map(Geohashes::encode))
                    .contains("gcpvj");
        }
    }

    @Test
    void refusesNonCityDatabasesAndGarbage() throws Exception {
        Path country = dir.resolve("country.mmdb");
        new MmdbWriter("MasqueRelay-Test-Country")
                .insert(IpPrefix.parse("127.1.0.0/24"), Map.of("x", "y"))
                .write(country);
        assertThatThrownBy(() -> MaxMindGeoDatabase.open(country))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database_type: MasqueRelay-Test-Country (expected: a City database");
        Path unknown = dir.resolve("unknown.mmdb");
        new MmdbWriter("Something-Else")
                .insert(IpPrefix.parse("127.1.0.0/24"), Map.of("x", "y"))
                .write(unknown);
        assertThatThrownBy(() -> MaxMindGeoDatabase.open(unknown))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected: a City database");
        Path garbage = dir.resolve("garbage.mmdb");
        Files.write(garbage, new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> MaxMindGeoDatabase.open(garbage))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a MaxMind DB file");
        assertThatThrownBy(() -> MaxMindGeoDatabase.open(dir.resolve("missing.mmdb")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("file not found");
    }
}
