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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's CSV dialect: a header line, LF line ends, comma-separated fields that never
 * hold a comma or a quote, numbers in {@link Locale#ROOT} with fixed decimals, so one seed gives
 * byte-identical files.
 */
public final class Csv {
    private final StringBuilder text = new StringBuilder(1 << 16);
    private final int width;

    public Csv(String header) {
        text.append(header).append('\n');
        width = header.split(",", -1).length;
    }

    /** Appends one row; each value is written with {@link #cell}. */
    public Csv row(Object... values) {
        if (values.length != width) {
            throw new IllegalArgumentException(values.length + " values (expected: " + width + ")");
        }
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(cell(values[i]));
        }
        text.append('\n');
        return this;
    }

    /** Doubles with 4 decimals, booleans as 1/0, everything else as its string without commas. */
    static String cell(Object v) {
        if (v instanceof Double d) {
            return d.isNaN() ? "" : fixed4(d);
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        String s = String.valueOf(v);
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("CSV value " + s + " (expected: no comma, quote or line end)");
        }
        return s;
    }

    /**
     * {@code d} with exactly 4 decimals, rounded half away from zero; the same text as {@code
     * String.format("%.4f")} but without its formatter, which dominated writing 100,000 rows.
     */
    static String fixed4(double d) {
        if (Math.abs(d) >= 1e14) {
            return String.format(Locale.ROOT, "%.4f", d);
        }
        long v = Math.round(Math.abs(d) * 10_000);
        StringBuilder sb = new StringBuilder(24);
        if (d < 0 && v != 0) {
            sb.append('-');
        }
        sb.append(v / 10_000).append('.');
        String frac = Long.toString(v % 10_000);
        sb.append("0000", 0, 4 - frac.length()).append(frac);
        return sb.toString();
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** One row of a file read back: column name to value. */
    public record Row(Map<String, String> values) {
        /**
         * The value in {@code column}, empty when the row left it out.
         *
         * @throws IllegalArgumentException if the file has no such column
         */
        public String get(String column) {
            String v = values.get(column);
            if (v == null) {
                throw new IllegalArgumentException(
                        "no column " + column + " (expected: one of " + values.keySet() + ")");
            }
            return v;
        }
    }

    /** Reads a file in this dialect as rows of column name to value, in file order. */
    public static List<Row> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Row> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = Arrays.copyOf(line.split(",", -1), header.length);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], f[i] == null ? "" : f[i]);
            }
            rows.add(new Row(row));
        }
        return rows;
    }
}
