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

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Checks of the keys every relay config has: listener, TLS, admin, proxy name, drain timeout. */
public final class RelayChecks {
    private RelayChecks() {}

    public static void common(
            ConfigErrors errors,
            @Nullable String listen,
            @Nullable TlsConfig tls,
            @Nullable AdminConfig admin,
            @Nullable String proxyName,
            @Nullable Duration drainTimeout) {
        errors.parse("listen", listen, Addresses::socketAddress, "ip:port");
        if (tls == null) {
            errors.missing("tls");
        } else {
            tls.validate("tls", errors);
        }
        if (admin != null) {
            admin.validate("admin", errors);
        }
        if (proxyName != null) {
            // Our name in proxy-status is an RFC 8941 token (RFC 9209 §2).
            errors.check(
                    proxyName.matches("[A-Za-z*][A-Za-z0-9:/!#$%&'*+.^_`|~-]{0,63}"),
                    "proxy-name",
                    proxyName,
                    "an RFC 8941 token of at most 64 characters");
        }
        if (drainTimeout != null) {
            errors.check(!drainTimeout.isNegative(), "drain-timeout", drainTimeout, ">= PT0S");
        }
    }
}
