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

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;

/**
 * Writes and reads RFC 8805 self-published IP geolocation feeds, the egress-range CSV of docs/architecture.md §4.
 *
 * <p>The writer emits UTF-8 rows {@code prefix,CC,region,city,} with LF line ends and no header
 * or comment, IPv4 before IPv6 and then by address, so the same pool file always gives the same
 * bytes (and an unchanged feed is visibly unchanged to anyone polling it).
 *
 * <p>The parser is strict (§2.1): '#' comments, exactly five fields, a canonical prefix
 * (§2.1.1.1; IPv6 in any valid spelling), an ISO 3166-1 alpha-2 country (§2.1.1.2) and an
 * ISO 3166-2 region of that same country (§2.1.1.3), both case-insensitive and returned in upper
 * case, and no prefix listed twice. Every error carries its line number.
 */
public final class Geofeed {
    /** The §2.1.1 field names, in order. */
    public static final String COLUMNS = "ip_prefix,alpha2code,region,city,postal_code";

    private Geofeed() {}

    /** The feed text: one LF-terminated row per entry, sorted. */
    public static String format(List<GeofeedEntry> entries) {
        StringBuilder sb = new StringBuilder();
        entries.stream().sorted().forEach(e -> sb.append(e.toCsv()).append('\n'));
        return sb.toString();
    }

    /** {@link #format} as UTF-8 bytes on {@code out}; does not close it. */
    public static void write(List<GeofeedEntry> entries, OutputStream out) throws IOException {
        out.write(format(entries).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public static List<GeofeedEntry> load(Path file) throws ConfigException {
        return parse(file.toString(), CsvLines.read(file));
    }

    /**
     * Parses a feed; {@code source} names it in the exception, which lists every bad line.
     */
    public static List<GeofeedEntry> parse(String source, String text) throws ConfigException {
        ConfigErrors errors = new ConfigErrors();
        List<GeofeedEntry> entries = new ArrayList<>();
        Map<IpPrefix, Integer> firstLine = new HashMap<>();
        CsvLines.forEach(text, COLUMNS, errors, (line, number, f) -> {
            IpPrefix prefix = errors.prefix(line + " ip_prefix", f[0]);
            String country = f[1].toUpperCase(Locale.ROOT);
            String region = f[2].toUpperCase(Locale.ROOT);
            boolean ok = prefix != null;
            if (!country.isEmpty()) {
                ok &= errors.check(Iso3166.isCountry(country), line + " alpha2code", f[1], Iso3166.COUNTRY_EXPECTED);
            }
            if (!region.isEmpty()) {
                ok &= errors.check(
                        Iso3166.isSubdivisionOf(region, country),
                        line + " region",
                        f[2],
                        Iso3166.regionExpected(country));
            }
            ok &= errors.check(GeofeedEntry.isFreeText(f[3]), line + " city", f[3], "text without control characters");
            ok &= errors.check(
                    GeofeedEntry.isFreeText(f[4]), line + " postal_code", f[4], "text without control characters");
            if (prefix != null) {
                Integer first = firstLine.putIfAbsent(prefix, number);
                ok &= errors.check(
                        first == null, line + " ip_prefix", prefix, "each prefix once; line " + first + " has it");
            }
            if (ok && prefix != null) {
                entries.add(new GeofeedEntry(prefix, country, region, f[3], f[4]));
            }
        });
        errors.throwIfAny(source);
        return List.copyOf(entries);
    }
}
