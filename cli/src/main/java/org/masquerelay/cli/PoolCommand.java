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

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigException;
import org.masquerelay.pool.Geofeed;
import org.masquerelay.pool.PoolRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code masque pool}: the egress city pool file (docs/architecture.md §4) outside a running relay. The CSV it
 * exports is the one the egress serves at {@code /egress-ranges.csv}, so operators can publish or
 * diff it without starting anything.
 */
@Command(
        name = "pool",
        description = "Check a city pool file or export its RFC 8805 egress-range CSV.",
        subcommands = {PoolCommand.ExportCsv.class, PoolCommand.Check.class})
final class PoolCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: export-csv or check");
    }

    /** Loads the pool file; on errors prints every one with its YAML path and returns null. */
    static @Nullable PoolRegistry load(Path config) {
        try {
            return PoolRegistry.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return null;
        }
    }

    @Command(name = "export-csv", description = "Write the RFC 8805 geofeed (prefix,CC,region,city,) of a pool file.")
    static final class ExportCsv implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The pool YAML file.")
        Path config;

        @Option(names = "--output", description = "Write the CSV here instead of stdout (replaced atomically).")
        @Nullable
        Path output;

        @Override
        public Integer call() throws IOException {
            PoolRegistry registry = load(config);
            if (registry == null) {
                return MasqueCli.EX_CONFIG;
            }
            if (output == null) {
                // Raw UTF-8 bytes: the platform charset must not re-encode city names.
                Geofeed.write(registry.geofeed(), System.out);
                return 0;
            }
            Path dir = output.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, ".egress-ranges", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    Geofeed.write(registry.geofeed(), out);
                }
                // A web server publishing the file never serves half of it.
                Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            System.err.println("wrote " + output + ": " + registry.geofeed().size() + " prefixes");
            return 0;
        }
    }

    @Command(
            name = "check",
            description =
                    "Validate a pool file: print every error with its YAML path, exit 78 " + "on errors, 0 when valid.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The pool YAML file.")
        Path config;

        @Override
        public Integer call() {
            PoolRegistry registry = load(config);
            if (registry == null) {
                return MasqueCli.EX_CONFIG;
            }
            System.out.println(config + ": ok (" + registry.cities().size() + " cities, "
                    + registry.geofeed().size()
                    + " prefixes, rotation " + registry.rotationPeriod() + ", fallback "
                    + registry.fallback().token() + ")");
            return 0;
        }
    }
}
