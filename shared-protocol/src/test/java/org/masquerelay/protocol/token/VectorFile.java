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
package org.masquerelay.protocol.token;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the RFC test-vector files in this package's resources. They keep the RFCs' layout:
 * {@code name: value} or {@code name = value}, values that wrap onto following lines, vectors
 * separated by blank lines, and {@code #} or {@code //} comment lines.
 */
final class VectorFile {

    private static final Pattern FIELD = Pattern.compile("^([A-Za-z][A-Za-z0-9_-]*)(?::| =) ?(.*)$");

    private VectorFile() {}

    /** Returns each vector as its fields in file order; a wrapped value is joined as it stands. */
    static List<Map<String, String>> read(String resource) {
        List<Map<String, String>> vectors = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        String field = null;
        for (String line : text(resource).split("\n", -1)) {
            if (line.startsWith("#") || line.startsWith("//")) {
                continue;
            }
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    vectors.add(current);
                    current = new LinkedHashMap<>();
                }
                field = null;
                continue;
            }
            Matcher m = FIELD.matcher(line);
            if (m.matches()) {
                field = m.group(1);
                current.put(field, m.group(2));
            } else if (field != null) {
                current.merge(field, line, String::concat);
            } else {
                throw new IllegalStateException(resource + ": stray line " + line);
            }
        }
        if (!current.isEmpty()) {
            vectors.add(current);
        }
        return vectors;
    }

    private static String text(String resource) {
        try (InputStream in = VectorFile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
