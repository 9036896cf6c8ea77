package org.masquerelay.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.masquerelay.pool.yaml.ConfigException;

/** Shared parts of the {@code ingress} and {@code egress} commands. */
final class RelayCommands {
    private RelayCommands() {
    }

    static int configError(ConfigException e, PrintStream err) {
        err.println(e.getMessage());
        return MasqueCli.EX_CONFIG;
    }

    /** Blocks until SIGTERM/SIGINT, then runs {@code drain} (GOAWAY, drain, close) before exit. */
    static void runUntilSignal(Runnable drain) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            drain.run();
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
    }
}
