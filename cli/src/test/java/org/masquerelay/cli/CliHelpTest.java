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

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --help} and {@code help} on every command of the tree, and usage errors in one line. */
class CliHelpTest {
    private record Run(int status, String out, String err) {
        static Run of(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = MasqueCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(status, out.toString(), err.toString());
        }
    }

    /** Every command path below the root, walked from picocli's own model. */
    private static List<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        walk(MasqueCli.commandLine(), new ArrayList<>(), paths);
        return paths;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> paths) {
        paths.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) { // aliases would repeat a command
                path.add(name);
                walk(sub, path, paths);
                path.remove(path.size() - 1);
            }
        });
    }

    @Test
    void helpExitsZeroWithUsageOnEveryCommand() {
        List<List<String>> paths = commandPaths();
        assertThat(paths).hasSizeGreaterThan(15);
        for (List<String> path : paths) {
            for (String flag : new String[] {"--help", "-h"}) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                Run run = Run.of(args.toArray(String[]::new));
                String name = String.join(" ", path);
                assertThat(run.status())
                        .as("masque %s %s: %s", name, flag, run.err())
                        .isZero();
                assertThat(run.out())
                        .as("masque %s %s", name, flag)
                        .contains("Usage: masque" + (path.isEmpty() ? "" : " " + name));
            }
        }
    }

    @Test
    void theHelpCommandShowsEachTopLevelCommand() {
        for (List<String> path : commandPaths()) {
            if (path.size() != 1) {
                continue;
            }
            Run run = Run.of("help", path.get(0));
            assertThat(run.status()).as("masque help %s", path.get(0)).isZero();
            assertThat(run.out()).contains("Usage: masque " + path.get(0));
        }
        Run root = Run.of("help");
        assertThat(root.status()).isZero();
        assertThat(root.out())
                .contains("Exit status:")
                .contains("78")
                .contains("fetch")
                .contains("help");
    }

    @Test
    void usageShowsDefaults() {
        assertThat(Run.of("udp-echo", "--help").out()).contains("Default: 8").contains("Default: 1200");
    }

    @Test
    void aBadLocationNamesTheValidValuesInOneLine() {
        Run run = Run.of("fetch", "http://127.0.0.1/", "--config", "client.yaml", "--location", "fine");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err())
                .contains("'fine' is not a location precision (expected: precise or coarse)")
                .contains("See 'masque fetch --help'.")
                .doesNotContain("LocationPrecision")
                .doesNotContain("Exception");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Run run = Run.of("ingress", "--config", "x.yaml", "--chek-config");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--chek-config'").contains("See 'masque ingress --help'.");
    }
}
