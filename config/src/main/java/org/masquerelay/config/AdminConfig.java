package org.masquerelay.config;

import java.net.InetSocketAddress;

/** The admin HTTP listener. Bind it to loopback or a management network: it is unauthenticated. */
public record AdminConfig(String listen) {
    public void validate(String path, ConfigErrors errors) {
        errors.parse(path + ".listen", listen, Addresses::socketAddress, "ip:port");
    }

    public InetSocketAddress listenAddress() {
        return Addresses.socketAddress(listen);
    }
}
