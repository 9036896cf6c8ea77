package org.masquerelay.config;

import java.time.Duration;

/** Checks of the keys every relay config has: listener, TLS, admin, proxy name, drain timeout. */
public final class RelayChecks {
    private RelayChecks() {
    }

    public static void common(ConfigErrors errors, String listen, TlsConfig tls, AdminConfig admin, String proxyName,
                              Duration drainTimeout) {
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
            errors.check(proxyName.matches("[A-Za-z*][A-Za-z0-9:/!#$%&'*+.^_`|~-]{0,63}"), "proxy-name", proxyName,
                    "an RFC 8941 token of at most 64 characters");
        }
        if (drainTimeout != null) {
            errors.check(!drainTimeout.isNegative(), "drain-timeout", drainTimeout, ">= PT0S");
        }
    }
}
