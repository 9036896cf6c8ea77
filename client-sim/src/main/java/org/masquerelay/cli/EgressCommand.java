package org.masquerelay.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.pool.yaml.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "egress", description = "Run an egress relay.")
final class EgressCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "egress.yaml")
    Path config;

    @Option(names = "--check-config", description = "Validate the config, print every error, exit 78 or 0.")
    boolean checkConfig;

    @Override
    public Integer call() throws Exception {
        EgressConfig c;
        try {
            c = EgressConfig.load(config);
        } catch (ConfigException e) {
            return RelayCommands.configError(e, System.err);
        }
        if (checkConfig) {
            System.out.println(config + ": ok");
            return 0;
        }
        EgressServer server = EgressServer.start(c);
        System.err.println("egress relay on " + server.quicAddress() + " (QUIC/HTTP3)"
                + (server.adminAddress() == null ? "" : ", admin http://" + server.adminAddress().getAddress()
                .getHostAddress() + ":" + server.adminAddress().getPort()));
        RelayCommands.runUntilSignal(() -> server.drainAndClose(c.drainTimeoutOrDefault()));
        return 0;
    }
}
