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

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;

/**
 * A geo database in CSV, the small format the demo and tests ship (docs/architecture.md §4):
 *
 * <pre>
 * # prefix,latitude,longitude,country,region,city
 * 127.1.0.0/24,51.5072,-0.1276,GB,GB-ENG,London
 * 2001:db8:1::/48,48.8566,2.3522,FR,FR-IDF,Paris
 * </pre>
 *
 * <p>Lines starting with '#' are comments. The prefix must be canonical; latitude and longitude
 * are plain decimals in range; the country is ISO 3166-1 alpha-2 and required (the geo assertion
 * carries it); region (ISO 3166-2 of that country) and city may be empty. A prefix may appear
 * only once, but prefixes may nest: the longest match wins. Errors carry line numbers.
 *
 * <p>Longest-prefix match uses one hash map per prefix length present, probed from the longest
 * length down. A lookup costs one masked-key probe per distinct length (a handful in practice,
 * at most 33 or 129), with no per-bit pointer chasing as in a binary trie, and the structure is
 * just the parsed rows. A trie would pay off only for far more distinct lengths than geo data has.
 */
public final class CsvGeoDatabase implements GeoDatabase {
    /** The field names, in order, as error messages name them. */
    public static final String COLUMNS = "prefix,latitude,longitude,country,region,city";

    private static final String DECIMAL = "-?[0-9]{1,3}(\\.[0-9]{1,15})?";

    /** Per family: prefix length, longest first, to the rows of that length. */
    private final TreeMap<Integer, Map<IpPrefix, GeoLocation>> ipv4 = new TreeMap<>(Comparator.reverseOrder());

    private final TreeMap<Integer, Map<IpPrefix, GeoLocation>> ipv6 = new TreeMap<>(Comparator.reverseOrder());
    private final Map<IpPrefix, GeoLocation> rows;
    private final int size;

    private CsvGeoDatabase(Map<IpPrefix, GeoLocation> rows) {
        this.rows = Map.copyOf(rows);
        rows.forEach((p, loc) -> (p.isIpv6() ? ipv6 : ipv4)
                .computeIfAbsent(p.length(), l -> new HashMap<>())
                .put(p, loc));
        size = rows.size();
    }

    public static CsvGeoDatabase load(Path file) throws ConfigException {
        return parse(file.toString(), CsvLines.read(file));
    }

    /** Parses the CSV text; {@code source} names it in the exception, which lists every bad line. */
    public static CsvGeoDatabase parse(String source, String text) throws ConfigException {
        ConfigErrors errors = new ConfigErrors();
        Map<IpPrefix, GeoLocation> rows = new HashMap<>();
        Map<IpPrefix, Integer> firstLine = new HashMap<>();
        CsvLines.forEach(text, COLUMNS, errors, (line, number, f) -> {
            IpPrefix prefix = errors.prefix(line + " prefix", f[0]);
            Double lat = degrees(line + " latitude", f[1], 90, errors);
            Double lon = degrees(line + " longitude", f[2], 180, errors);
            boolean ok = errors.check(
                    Iso3166.isCountry(f[3]),
                    line + " country",
                    f[3].isEmpty() ? "\"\"" : f[3],
                    Iso3166.COUNTRY_EXPECTED);
            if (!f[4].isEmpty()) {
                ok &= errors.check(
                        Iso3166.isSubdivisionOf(f[4], f[3]), line + " region", f[4], Iso3166.regionExpected(f[3]));
            }
            ok &= errors.check(GeofeedEntry.isFreeText(f[5]), line + " city", f[5], "text without control characters");
            if (prefix != null) {
                Integer first = firstLine.putIfAbsent(prefix, number);
                ok &= errors.check(
                        first == null, line + " prefix", prefix, "each prefix once; line " + first + " has it");
            }
            if (ok && prefix != null && lat != null && lon != null) {
                rows.put(prefix, new GeoLocation(lat, lon, f[3], f[4], f[5]));
            }
        });
        if (errors.isEmpty() && rows.isEmpty()) {
            errors.add("file", "no rows", "at least one " + COLUMNS + " row");
        }
        errors.throwIfAny(source);
        return new CsvGeoDatabase(rows);
    }

    private static @Nullable Double degrees(String path, String text, int limit, ConfigErrors errors) {
        if (!text.matches(DECIMAL)) {
            errors.add(path, '"' + text + '"', "decimal degrees such as 51.5072");
            return null;
        }
        double v = Double.parseDouble(text);
        return errors.check(v >= -limit && v <= limit, path, text, "-" + limit + " to " + limit) ? v : null;
    }

    @Override
    public Optional<GeoLocation> lookup(InetAddress address) {
        InetAddress a = GeoDatabase.unmapped(address);
        for (Map.Entry<Integer, Map<IpPrefix, GeoLocation>> e :
                (a.getAddress().length == 16 ? ipv6 : ipv4).entrySet()) {
            GeoLocation hit = e.getValue().get(IpPrefix.containing(a, e.getKey()));
            if (hit != null) {
                return Optional.of(hit);
            }
        }
        return Optional.empty();
    }

    /** Every row, prefix to location, in no particular order. */
    public Map<IpPrefix, GeoLocation> rows() {
        return rows;
    }

    /** Number of rows. */
    public int size() {
        return size;
    }
}
