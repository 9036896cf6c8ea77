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
package org.masquerelay.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.pool.Coordinates;
import org.masquerelay.pool.Iso3166;

/**
 * {@code population.csv}: where the simulated clients really are. One row per city, {@value
 * #COLUMNS}; {@code #} starts a comment line. Each client picks a row with probability
 * proportional to its weight, then a true position uniformly within {@code spread_km} of it.
 *
 * @param rows the cities, in file order
 */
public record Population(List<Row> rows) {
    /** The header, and the field names errors use. */
    public static final String COLUMNS = "city,country,latitude,longitude,weight,spread_km";

    /**
     * One city of the population.
     *
     * @param line the line of the file it came from, counted from 1, for error messages
     */
    public record Row(int line, String city, String country, Coordinates centre, double weight, double spreadKm) {}

    /** Loads and checks {@code file}; every bad row is in the exception, named by its line. */
    public static Population load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("unreadable: " + e.getMessage()));
        }
        return parse(file.toString(), text);
    }

    /** Parses the CSV text; {@code source} names it in the exception. */
    public static Population parse(String source, String text) throws ConfigException {
        ConfigErrors errors = new ConfigErrors();
        List<Row> rows = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        boolean header = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            String at = "line " + (i + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!header) {
                header = true;
                errors.check(line.equals(COLUMNS), at, line, "the header " + COLUMNS);
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 6) {
                errors.add(at, line, "6 fields " + COLUMNS + ", found " + f.length);
                continue;
            }
            boolean ok = errors.check(!f[0].isBlank(), at + " city", f[0], "a city name");
            ok &= errors.check(Iso3166.isCountry(f[1]), at + " country", f[1], Iso3166.COUNTRY_EXPECTED);
            Double lat = number(errors, at + " latitude", f[2], -90, 90);
            Double lon = number(errors, at + " longitude", f[3], -180, 180);
            Double weight = number(errors, at + " weight", f[4], 0, 1e12);
            Double spread = number(errors, at + " spread_km", f[5], 0, 1000);
            if (ok && lat != null && lon != null && weight != null && spread != null) {
                rows.add(new Row(i + 1, f[0], f[1], new Coordinates(lat, lon), weight, spread));
            }
        }
        if (errors.isEmpty()) {
            if (rows.isEmpty()) {
                errors.add("file", "no rows", "a header " + COLUMNS + " and at least one row");
            } else if (rows.stream().mapToDouble(Row::weight).sum() <= 0) {
                errors.add("weight", "a total of 0", "at least one row with a weight above 0");
            }
        }
        errors.throwIfAny(source);
        return new Population(List.copyOf(rows));
    }

    private static @Nullable Double number(ConfigErrors errors, String path, String text, double min, double max) {
        try {
            double v = Double.parseDouble(text);
            if (errors.check(v >= min && v <= max && !Double.isNaN(v), path, text, min + " to " + max)) {
                return v;
            }
        } catch (NumberFormatException e) {
            errors.add(path, '"' + text + '"', "a decimal number");
        }
        return null;
    }
}
