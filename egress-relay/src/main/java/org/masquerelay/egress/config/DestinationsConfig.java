package org.masquerelay.egress.config;

import java.util.List;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.config.ConfigErrors;

/**
 * Destination policy. Loopback, private, link-local, multicast, CGNAT, documentation and the
 * relay's own addresses are refused by default; {@code allow} admits explicit exceptions (test
 * origins on loopback, an internal service the operator means to expose).
 */
public record DestinationsConfig(List<String> allow) {
    public void validate(String path, ConfigErrors errors) {
        errors.parseEach(path + ".allow", allow, IpPrefix::parse, "a CIDR prefix");
    }

    public List<IpPrefix> allowList() {
        return allow == null ? List.of() : allow.stream().map(IpPrefix::parse).toList();
    }
}
