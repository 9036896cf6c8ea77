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

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code masque} launcher's entry point. Subcommands and their flags are a public interface:
 * operators' scripts and acceptance checks depend on them.
 */
@Command(
        name = "masque",
        mixinStandardHelpOptions = true,
        version = MasqueCli.VERSION,
        description = "Two-hop MASQUE privacy relay: ingress, egress, client and tools.",
        subcommands = {
            DemoCommand.class,
            InitCommand.class,
            IngressCommand.class,
            EgressCommand.class,
            FetchCommand.class,
            UdpEchoCommand.class,
            BenchCommand.class,
            KeysCommand.class,
            PoolCommand.class,
            IssuerCommand.class,
            ProxyCommand.class,
            OriginCommand.class,
            WaitCommand.class,
            SimCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:success",
            "1:failure (a fetch, a probe, a relay that cannot start)",
            "2:usage error (unknown option, bad value)",
            "78:configuration error (every problem with its YAML path and line)"
        })
public final class MasqueCli implements Runnable {
    /** sysexits.h EX_CONFIG: configuration error. */
    public static final int EX_CONFIG = 78;

    /** The version every command's {@code --version} prints. */
    static final String VERSION = "masque-relay 0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** The environment variable that picks the log format (logback.xml). */
    static final String LOG_FORMAT = "MASQUE_LOG_FORMAT";

    public static void main(String[] args) {
        // Checked before anything logs: logback would drop every line of an unknown appender name.
        String format = System.getenv(LOG_FORMAT);
        if (format != null && !format.equals("text") && !format.equals("json")) {
            System.err.println("error: " + LOG_FORMAT + " must be text or json, not '" + format + "'");
            System.exit(EX_CONFIG);
        }
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(
                new PrintWriter(
                        new PrintStream(System.out, true, StandardCharsets.UTF_8), true, StandardCharsets.UTF_8),
                new PrintWriter(
                        new PrintStream(System.err, true, StandardCharsets.UTF_8), true, StandardCharsets.UTF_8),
                args);
    }

    /** Runs with the given streams for commands that print through picocli; tests capture them. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /**
     * The command tree, with {@code --help} and {@code --version} on every command and
     * subcommand (so {@code masque fetch --help} needs no URL and no {@code --config}), defaults
     * shown in every usage text, and usage errors in one line plus a pointer to {@code --help}.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MasqueCli());
        everyCommand(cl);
        cl.setParameterExceptionHandler(MasqueCli::usageError);
        return cl;
    }

    private static void everyCommand(CommandLine cl) {
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        if (spec.optionsMap().get("--help") == null && !(cl.getCommand() instanceof CommandLine.HelpCommand)) {
            spec.mixinStandardHelpOptions(true);
        }
        if (spec.version().length == 0) {
            spec.version(VERSION);
        }
        spec.usageMessage().showDefaultValues(true);
        cl.getSubcommands().values().stream().distinct().forEach(MasqueCli::everyCommand);
    }

    /** A usage error: the message, and how to get help for that command; exit 2. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("See '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }
}
