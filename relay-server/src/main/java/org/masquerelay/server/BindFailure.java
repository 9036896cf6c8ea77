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
package org.masquerelay.server;

import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * A listener that could not bind, in one line an operator can act on: which listener, which
 * protocol and address, and why ("Address already in use": another process holds it).
 */
public final class BindFailure {
    private BindFailure() {}

    /**
     * @param listener what was binding, e.g. "ingress QUIC listener" or "issuer"
     * @param protocol "UDP" or "TCP"
     */
    public static BindException of(String listener, String protocol, InetSocketAddress address, Throwable cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        // Netty's native transport words it "bind(..) failed with error(-98): Address already in use".
        int colon = reason.lastIndexOf("): ");
        if (reason.startsWith("bind(") && colon > 0) {
            reason = reason.substring(colon + 3);
        }
        String hint =
                reason.contains("already in use") ? " (another process listens there; stop it or change the port)" : "";
        BindException e = new BindException(listener + ": cannot bind " + protocol + " "
                + address.getAddress().getHostAddress() + ":" + address.getPort() + ": " + reason + hint);
        e.initCause(cause);
        return e;
    }
}
