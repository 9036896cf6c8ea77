package org.masquerelay.cli;

import java.nio.file.Path;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;
import org.masquerelay.config.ConfigException;
import picocli.CommandLine.Command;

@Command(name = "egress", description = "Run an egress relay.")
final class EgressCommand extends RelayCommand<EgressConfig> {
    @Override
    EgressConfig load(Path file) throws ConfigException {
        return EgressConfig.load(file);
    }

    @Override
    Runnable start(EgressConfig c) throws Exception {
        EgressServer server = EgressServer.start(c);
        banner("egress", server.quicAddress(), server.adminAddress());
        return () -> server.drainAndClose(c.drainTimeoutOrDefault());
    }
}
