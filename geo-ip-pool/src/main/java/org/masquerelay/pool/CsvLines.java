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
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;

/**
 * The line format the geofeed (RFC 8805 §2.1) and the geo CSV share: UTF-8, one row per line
 * (LF or CRLF), lines starting with '#' are comments, blank lines are skipped, fields are
 * separated by commas and never quoted. Errors name the line, counted from 1.
 */
final class CsvLines {
    private static final int MAX_ECHO = 80;

    /** Receives one data row; {@code line} is "line N" for error paths. */
    interface Row {
        void accept(String line, int number, String[] fields);
    }

    private CsvLines() {}

    /** Reads {@code file} as strict UTF-8. */
    static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("file not found"));
        } catch (CharacterCodingException e) {
            throw new ConfigException(file.toString(), List.of("not valid UTF-8"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("unreadable: " + e.getMessage()));
        }
    }

    /**
     * Splits {@code text} into rows of exactly as many fields as {@code columns} names; a row of
     * another width is an error and is not passed on.
     */
    static void forEach(String text, String columns, ConfigErrors errors, Row row) {
        int width = columns.split(",").length;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String at = "line " + (i + 1);
            if (i == 0 && line.startsWith("\uFEFF")) {
                errors.add(at, "byte order mark", "UTF-8 without a byte order mark");
                line = line.substring(1);
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (fields.length != width) {
                errors.add(at, echo(line), width + " comma-separated fields " + columns + ", found " + fields.length);
            } else if (line.indexOf('"') >= 0) {
                errors.add(at, echo(line), "fields without double quotes (quoted fields are not supported)");
            } else {
                row.accept(at, i + 1, fields);
            }
        }
    }

    private static String echo(String line) {
        return line.length() <= MAX_ECHO ? line : line.substring(0, MAX_ECHO) + "...";
    }
}
