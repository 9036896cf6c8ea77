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

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;

class GeofeedTest {
    @TempDir
    Path dir;

    @Test
    void writesOneRowPerPrefixIpv4FirstThenByAddress() throws Exception {
        assertThat(PoolRegistryTest.sample().geofeedCsv()).isEqualTo("""
                127.101.0.0/28,GB,GB-ENG,London,
                127.102.0.0/28,FR,FR-IDF,Paris,
                127.103.0.0/28,JP,JP-13,Tokyo,
                127.104.0.0/28,GB,GB-ENG,Manchester,
                2001:db8:101::/64,GB,GB-ENG,London,
                """);
    }

    @Test
    void ordersByAddressNotByText() {
        List<GeofeedEntry> entries = List.of(
                new GeofeedEntry(IpPrefix.parse("2001:db8:10::/48"), "GB", "", "", ""),
                new GeofeedEntry(IpPrefix.parse("10.0.0.0/8"), "GB", "", "", ""),
                new GeofeedEntry(IpPrefix.parse("2001:db8:9::/48"), "GB", "", "", ""),
                new GeofeedEntry(IpPrefix.parse("9.0.0.0/8"), "GB", "", "", ""));
        assertThat(Geofeed.format(entries)).isEqualTo("""
                9.0.0.0/8,GB,,,
                10.0.0.0/8,GB,,,
                2001:db8:9::/48,GB,,,
                2001:db8:10::/48,GB,,,
                """);
    }

    @Test
    void writesUtf8WithLineFeeds() throws Exception {
        List<GeofeedEntry> entries =
                List.of(new GeofeedEntry(IpPrefix.parse("192.0.2.0/24"), "CH", "CH-ZH", "Zürich", ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Geofeed.write(entries, out);
        assertThat(out.toByteArray())
                .isEqualTo("192.0.2.0/24,CH,CH-ZH,Z\u00fcrich,\n".getBytes(StandardCharsets.UTF_8))
                .doesNotContain((byte) '\r');
    }

    @Test
    void parserRoundTripsTheWriter() throws Exception {
        PoolRegistry r = PoolRegistryTest.sample();
        Path file = dir.resolve("egress-ranges.csv");
        Files.writeString(file, r.geofeedCsv());
        assertThat(Geofeed.load(file)).isEqualTo(r.geofeed());
        assertThat(Geofeed.format(Geofeed.parse("x", r.geofeedCsv()))).isEqualTo(r.geofeedCsv());
    }

    @Test
    void parserAcceptsWhatRfc8805Allows() throws Exception {
        String feed = "# geofeed of AS64496\r\n"
                + "192.0.2.0/24,gb,gb-eng,London,\r\n"
                + "\r\n"
                + "2001:DB8:0:0::/64,,,,\r\n" // IPv6 in any valid spelling; all location fields empty
                + "198.51.100.7,US,US-CA,Mountain View,94043\r\n"; // a bare address; a (deprecated) postal code
        assertThat(Geofeed.parse("feed.csv", feed))
                .containsExactly(
                        new GeofeedEntry(IpPrefix.parse("192.0.2.0/24"), "GB", "GB-ENG", "London", ""),
                        new GeofeedEntry(IpPrefix.parse("2001:db8::/64"), "", "", "", ""),
                        new GeofeedEntry(IpPrefix.parse("198.51.100.7/32"), "US", "US-CA", "Mountain View", "94043"));
    }

    @Test
    void parserReportsEveryBadLineByNumber() {
        String feed = """
                # line 1 is a comment
                192.0.2.0/24,GB,GB-ENG,London
                192.0.2.1/24,GB,GB-ENG,London,
                198.51.100.0/24,UK,,London,
                203.0.113.0/24,GB,FR-IDF,London,
                2001:db8::/32,,GB-ENG,London,
                2001:db8:1::/48,GB,GB-ENGLAND,London,
                2001:db8:1::/48,GB,,London,
                192.0.2.128/25,GB,,"London, UK",
                \uFEFF
                """;
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Geofeed.parse("feed.csv", feed));
        assertThat(e.errors())
                .containsExactly(
                        "line 2: 192.0.2.0/24,GB,GB-ENG,London (expected: 5 comma-separated fields "
                                + "ip_prefix,alpha2code,region,city,postal_code, found 4)",
                        "line 3 ip_prefix: 192.0.2.1/24 (expected: canonical prefix 192.0.2.0/24, host bits must be zero)",
                        "line 4 alpha2code: UK (expected: an ISO 3166-1 alpha-2 country code such as GB)",
                        "line 5 region: FR-IDF (expected: an ISO 3166-2 code of GB: GB- and 1-3 letters or digits)",
                        "line 6 region: GB-ENG (expected: an ISO 3166-2 code of the country: CC- and 1-3 letters or digits)",
                        "line 7 region: GB-ENGLAND (expected: an ISO 3166-2 code of GB: GB- and 1-3 letters or digits)",
                        "line 8 ip_prefix: 2001:db8:1::/48 (expected: each prefix once; line 7 has it)",
                        "line 9: 192.0.2.128/25,GB,,\"London, UK\", (expected: 5 comma-separated fields "
                                + "ip_prefix,alpha2code,region,city,postal_code, found 6)",
                        "line 10: \uFEFF (expected: 5 comma-separated fields ip_prefix,alpha2code,region,city,postal_code, "
                                + "found 1)");
        assertThat(e.getMessage()).startsWith("feed.csv: 9 error(s)");
    }

    @Test
    void byteOrderMarksAndQuotesAreRefused() {
        assertThatThrownBy(() -> Geofeed.parse("bom.csv", "\uFEFF192.0.2.0/24,GB,,,\n"))
                .hasMessageContaining("line 1: byte order mark (expected: UTF-8 without a byte order mark)");
        assertThatThrownBy(() -> Geofeed.parse("q.csv", "192.0.2.0/24,GB,,\"London\",\n"))
                .hasMessageContaining("line 1: 192.0.2.0/24,GB,,\"London\", (expected: fields without double quotes");
    }

    @Test
    void entriesThatWouldBreakTheCsvAreRefused() {
        IpPrefix p = IpPrefix.parse("192.0.2.0/24");
        assertThatThrownBy(() -> new GeofeedEntry(p, "GB", "", "London, UK", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GeofeedEntry(p, "GB", "", "Lon\ndon", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GeofeedEntry(p, "EU", "", "", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GeofeedEntry(p, "GB", "FR-IDF", "", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
