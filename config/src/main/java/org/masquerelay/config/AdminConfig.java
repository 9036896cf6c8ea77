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
