package org.masquerelay.cli;

import java.nio.file.Path;
import org.masquerelay.ingress.IngressServer;
import org.masquerelay.ingress.config.IngressConfig;
import org.masquerelay.config.ConfigException;
import picocli.CommandLine.Command;

@Command(name = "ingress", description = "Run an ingress relay.")
final class IngressCommand extends RelayCommand<IngressConfig> {
    @Override
    IngressConfig load(Path file) throws ConfigException {
        return IngressConfig.load(file);
    }

    @Override
    Runnable start(IngressConfig c) throws Exception {
        IngressServer server = IngressServer.start(c);
        banner("ingress", server.quicAddress(), server.adminAddress());
        return () -> server.drainAndClose(c.drainTimeoutOrDefault());
    }
}
