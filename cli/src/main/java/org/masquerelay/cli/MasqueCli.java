package org.masquerelay.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code masque} launcher's entry point. Subcommands and their flags are a public interface:
 * operators' scripts and acceptance checks depend on them.
 */
@Command(name = "masque", mixinStandardHelpOptions = true, version = "masque-relay 0.1.0",
        description = "Two-hop MASQUE privacy relay: ingress, egress, client and tools.",
        subcommands = {DemoCommand.class, InitCommand.class, IngressCommand.class, EgressCommand.class,
                FetchCommand.class, UdpEchoCommand.class, BenchCommand.class, KeysCommand.class,
                PoolCommand.class, IssuerCommand.class, ProxyCommand.class, OriginCommand.class})
public final class MasqueCli implements Runnable {
    /** sysexits.h EX_CONFIG: configuration error. */
    public static final int EX_CONFIG = 78;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(new PrintWriter(new PrintStream(System.out, true, StandardCharsets.UTF_8), true),
                new PrintWriter(new PrintStream(System.err, true, StandardCharsets.UTF_8), true), args);
    }

    /** Runs with the given streams for commands that print through picocli; tests capture them. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new MasqueCli());
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }
}
