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
package org.masquerelay.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The README's {@code ```sh} blocks, for the tests that run or parse them. */
public final class ReadmeBlocks {
    private static final Pattern FENCE = Pattern.compile("^```\\s*(\\S*)\\s*$");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*$");

    private ReadmeBlocks() {}

    /**
     * The {@code ```sh} blocks under the headings {@code section} accepts, in the order of the
     * file, keyed by their line ({@code README.md:N}).
     */
    public static Map<String, String> shellBlocks(String markdown, Predicate<String> section) {
        Map<String, String> blocks = new LinkedHashMap<>();
        String[] lines = markdown.split("\n", -1);
        boolean inSection = false;
        for (int i = 0; i < lines.length; i++) {
            Matcher h = HEADING.matcher(lines[i]);
            if (h.matches()) {
                inSection = section.test(h.group(2));
                continue;
            }
            Matcher f = FENCE.matcher(lines[i]);
            if (!f.matches()) {
                continue;
            }
            int open = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
                text.append(lines[i]).append('\n');
            }
            if (inSection && f.group(1).equals("sh")) {
                blocks.put("README.md:" + (open + 1), text.toString());
            }
        }
        return blocks;
    }
}
