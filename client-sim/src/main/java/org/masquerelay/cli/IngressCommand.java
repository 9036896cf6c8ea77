package org.masquerelay.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.pool.yaml.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingress", description = "Run an ingress relay.")
final class IngressCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "ingress.yaml")
    Path config;

    @Option(names = "--check-config", description = "Validate the config, print every error, exit 78 or 0.")
    boolean checkConfig;

    @Override
    public Integer call() throws Exception {
        IngressConfig c;
        try {
            c = IngressConfig.load(config);
        } catch (ConfigException e) {
            return RelayCommands.configError(e, System.err);
        }
        if (checkConfig) {
            System.out.println(config + ": ok");
            return 0;
        }
        IngressServer server = IngressServer.start(c);
        System.err.println("ingress relay on " + server.quicAddress() + " (QUIC/HTTP3)"
                + (server.adminAddress() == null ? "" : ", admin http://" + server.adminAddress().getAddress()
                .getHostAddress() + ":" + server.adminAddress().getPort()));
        RelayCommands.runUntilSignal(() -> server.drainAndClose(c.drainTimeoutOrDefault()));
        return 0;
    }
}
