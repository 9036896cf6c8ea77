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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.Inet6Address;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;

class CsvGeoDatabaseTest {
    static final String NESTED = """
            # prefix,latitude,longitude,country,region,city
            127.0.0.0/8,51.5,-0.1,GB,,
            127.1.0.0/16,48.8566,2.3522,FR,FR-IDF,Paris
            127.1.2.0/24,35.6762,139.6503,JP,JP-13,Tokyo
            127.1.2.3/32,51.5072,-0.1276,GB,GB-ENG,London
            2001:db8::/32,52.52,13.405,DE,DE-BE,Berlin
            2001:db8:1::/48,-33.8688,151.2093,AU,AU-NSW,Sydney
            """;

    @TempDir
    Path dir;

    @Test
    void longestPrefixWins() throws Exception {
        CsvGeoDatabase db = CsvGeoDatabase.parse("geo.csv", NESTED);
        assertThat(db.size()).isEqualTo(6);
        assertThat(db.lookup(MmdbWriter.address("127.9.9.9")).map(GeoLocation::country))
                .contains("GB");
        assertThat(db.lookup(MmdbWriter.address("127.1.9.9")).map(GeoLocation::city))
                .contains("Paris");
        assertThat(db.lookup(MmdbWriter.address("127.1.2.4")).map(GeoLocation::city))
                .contains("Tokyo");
        assertThat(db.lookup(MmdbWriter.address("127.1.2.3")))
                .contains(new GeoLocation(51.5072, -0.1276, "GB", "GB-ENG", "London"));
        assertThat(db.lookup(MmdbWriter.address("128.0.0.1"))).isEmpty();
    }

    @Test
    void ipv6RowsMatchIpv6AddressesOnly() throws Exception {
        CsvGeoDatabase db = CsvGeoDatabase.parse("geo.csv", NESTED);
        assertThat(db.lookup(MmdbWriter.address("2001:db8:ffff::1")).map(GeoLocation::city))
                .contains("Berlin");
        assertThat(db.lookup(MmdbWriter.address("2001:db8:1:2::3")).map(GeoLocation::city))
                .contains("Sydney");
        assertThat(db.lookup(MmdbWriter.address("2001:db9::1"))).isEmpty();
        // ::127.1.2.3 is an IPv6 address (IPv4-compatible, not mapped): no IPv4 row applies.
        assertThat(db.lookup(MmdbWriter.address("::7f01:203"))).isEmpty();
    }

    @Test
    void ipv4MappedClientAddressesMatchIpv4Rows() throws Exception {
        CsvGeoDatabase db = CsvGeoDatabase.parse("geo.csv", NESTED);
        var mapped = Inet6Address.getByAddress(null, IpPrefix.parseLiteral("::ffff:127.1.2.3"), 0);
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        assertThat(db.lookup(mapped).map(GeoLocation::city)).contains("London");
    }

    @Test
    void loadsFromAFileAndThroughGeoDatabaseOpen() throws Exception {
        Path file = dir.resolve("geo.csv");
        Files.writeString(file, NESTED);
        try (GeoDatabase db = GeoDatabase.open(file)) {
            assertThat(db).isInstanceOf(CsvGeoDatabase.class);
            assertThat(db.lookup(MmdbWriter.address("127.1.2.3")).map(Geohashes::encode))
                    .contains("gcpvj");
        }
        assertThatThrownBy(() -> CsvGeoDatabase.load(dir.resolve("missing.csv")))
                .hasMessage(dir.resolve("missing.csv") + ": 1 error(s)\n  file not found");
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'#', ' ', (byte) 0xfc, '\n'});
        assertThatThrownBy(() -> CsvGeoDatabase.load(latin1)).hasMessageEndingWith("not valid UTF-8");
    }

    @Test
    void reportsEveryBadLineByNumber() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> CsvGeoDatabase.parse("geo.csv", """
                # comment
                127.1.0.0/24,51.5072,-0.1276,GB,GB-ENG,London
                127.1.0.1/24,51.5072,-0.1276,GB,GB-ENG,London
                127.2.0.0/24,91,2.3522,FR,FR-IDF,Paris
                127.3.0.0/24,35.6762,1e2,JP,JP-13,Tokyo
                127.4.0.0/24,35.6762,139.6503,jp,,Tokyo
                127.5.0.0/24,35.6762,139.6503,JP,GB-ENG,Tokyo
                127.1.0.0/24,51.5072,-0.1276,GB,GB-ENG,London
                ::ffff:127.6.0.0/120,51.5,-0.1,GB,,
                127.7.0.0/24,51.5,-0.1,,,
                127.8.0.0/24,51.5,-0.1,GB
                """));
        assertThat(e.errors())
                .containsExactly(
                        "line 3 prefix: 127.1.0.1/24 (expected: canonical prefix 127.1.0.0/24, host bits must be zero)",
                        "line 4 latitude: 91 (expected: -90 to 90)",
                        "line 5 longitude: \"1e2\" (expected: decimal degrees such as 51.5072)",
                        "line 6 country: jp (expected: an ISO 3166-1 alpha-2 country code such as GB)",
                        "line 7 region: GB-ENG (expected: an ISO 3166-2 code of JP: JP- and 1-3 letters or digits)",
                        "line 8 prefix: 127.1.0.0/24 (expected: each prefix once; line 2 has it)",
                        "line 9 prefix: ::ffff:127.6.0.0/120 (expected: an IPv4 prefix written as IPv4, not IPv4-mapped IPv6)",
                        "line 10 country: \"\" (expected: an ISO 3166-1 alpha-2 country code such as GB)",
                        "line 11: 127.8.0.0/24,51.5,-0.1,GB (expected: 6 comma-separated fields "
                                + "prefix,latitude,longitude,country,region,city, found 4)");
    }

    @Test
    void anEmptyDatabaseIsAnError() {
        assertThatThrownBy(() -> CsvGeoDatabase.parse("geo.csv", "# nothing\n"))
                .hasMessageContaining("file: no rows (expected: at least one "
                        + "prefix,latitude,longitude,country,region,city row)");
    }
}
