package org.masquerelay.client;

import java.nio.file.Files;
import java.nio.file.Path;
import org.masquerelay.pool.yaml.ConfigErrors;
import org.masquerelay.pool.yaml.ConfigException;
import org.masquerelay.pool.yaml.YamlConfigLoader;
import org.masquerelay.protocol.uri.UdpProxyTemplate;

/**
 * The client's configuration file ({@code client.yaml}).
 *
 * @param ingress the first hop
 * @param egress the second hop, reached through the ingress
 * @param caFile PEM file of the CA(s) that sign both relays' certificates
 * @param uriTemplate the ingress's connect-udp template (RFC 9298 §2); default the well-known one
 * @param innerMaxUdpPayload the inner QUIC connection's packet size; must fit one outer DATAGRAM
 *     frame (DESIGN §3), default 1350
 */
public record ClientConfig(HopConfig ingress, HopConfig egress, Path caFile, String uriTemplate,
                           Integer innerMaxUdpPayload) implements YamlConfigLoader.Validated {

    public static ClientConfig load(Path file) throws ConfigException {
        return YamlConfigLoader.load(file, ClientConfig.class, (c, dir) -> new ClientConfig(c.ingress, c.egress,
                c.caFile == null ? null : dir.resolve(c.caFile), c.uriTemplate, c.innerMaxUdpPayload));
    }

    @Override
    public void validate(ConfigErrors errors) {
        if (ingress == null) {
            errors.missing("ingress");
        } else {
            ingress.validate("ingress", errors);
        }
        if (egress == null) {
            errors.missing("egress");
        } else {
            egress.validate("egress", errors);
        }
        if (caFile != null && !Files.isReadable(caFile)) {
            errors.add("ca-file", caFile, "a readable PEM file");
        }
        if (uriTemplate != null) {
            errors.parse("uri-template", uriTemplate, UdpProxyTemplate::parse, "an RFC 9298 template");
        }
        if (innerMaxUdpPayload != null) {
            errors.check(innerMaxUdpPayload >= 1200 && innerMaxUdpPayload <= 1400, "inner-max-udp-payload",
                    innerMaxUdpPayload, "1200-1400 (QUIC needs 1200; the outer frame holds about 1400)");
        }
    }

    public UdpProxyTemplate template() {
        return uriTemplate == null ? UdpProxyTemplate.defaultTemplate() : UdpProxyTemplate.parse(uriTemplate);
    }

    public int innerMaxUdpPayloadOrDefault() {
        return innerMaxUdpPayload == null ? 1350 : innerMaxUdpPayload;
    }
}
