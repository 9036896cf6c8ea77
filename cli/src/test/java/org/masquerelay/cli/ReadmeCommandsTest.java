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

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code ./masque} command in a {@code sh} block of the README parses, as written, against
 * the real command tree: no unknown option, no missing required one, no bad value. ReadmeIT runs
 * the deployment and proxy blocks for real; this covers the rest (benchmarks, production
 * samples) that take too long or need hosts this build does not have.
 */
class ReadmeCommandsTest {
    @Test
    void everyReadmeCommandParses() throws Exception {
        List<String> commands = commands(Files.readString(Path.of("..", "README.md")));
        assertThat(commands).hasSizeGreaterThan(15);
        for (String command : commands) {
            String[] args = command.substring("./masque ".length()).trim().split("\\s+");
            try {
                MasqueCli.commandLine().parseArgs(args);
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("README: '" + command + "': " + e.getMessage(), e);
            }
        }
    }

    /** The {@code ./masque} lines of every sh block, without comments and a trailing {@code &}. */
    static List<String> commands(String markdown) {
        List<String> out = new ArrayList<>();
        for (String block : ReadmeBlocks.shellBlocks(markdown, heading -> true).values()) {
            for (String line : block.split("\n")) {
                if (line.startsWith("./masque ")) {
                    out.add(line.replaceAll("\\s+#.*$", "")
                            .replaceAll("\\s*&$", "")
                            .trim());
                }
            }
        }
        return out;
    }
}
