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
package org.masquerelay.client;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
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
public record HopConfig(
        String address,
        @Nullable String serverName,
        @Nullable String pinnedKey) {
    public void validate(String path, ConfigErrors errors) {
        errors.parse(path + ".address", address, Addresses::socketAddress, "ip:port");
        if (pinnedKey != null) {
            errors.check(
                    pinnedKey.matches("sha256/[A-Za-z0-9+/]{43}="),
                    path + ".pinned-key",
                    pinnedKey,
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
