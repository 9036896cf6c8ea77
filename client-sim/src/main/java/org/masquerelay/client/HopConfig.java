package org.masquerelay.client;

import java.net.InetSocketAddress;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.ConfigErrors;

/**
 * One relay the client talks to.
 *
 * @param address {@code ip:port} of its QUIC listener
 * @param serverName name its certificate must carry (SNI and hostname check); default the IP
 * @param pinnedKey optional {@code sha256/BASE64} pin of its public key (SPKI); when set, the key
 *     must match whatever the CA says
 */
public record HopConfig(String address, String serverName, String pinnedKey) {
    public void validate(String path, ConfigErrors errors) {
        errors.parse(path + ".address", address, Addresses::socketAddress, "ip:port");
        if (pinnedKey != null) {
            errors.check(pinnedKey.matches("sha256/[A-Za-z0-9+/]{43}="), path + ".pinned-key", pinnedKey,
                    "sha256/ followed by 44 base64 characters");
        }
    }

    public InetSocketAddress socketAddress() {
        return Addresses.socketAddress(address);
    }

    public String serverNameOrAddress() {
        return serverName != null ? serverName : socketAddress().getAddress().getHostAddress();
    }
}
