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

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.YamlConfigLoader;
import org.masquerelay.protocol.uri.UdpProxyTemplate;

/**
 * The client's configuration file ({@code client.yaml}).
 *
 * @param ingress the first hop
 * @param egress the second hop, reached through the ingress
 * @param caFile PEM file of the CA(s) that sign both relays' certificates
 * @param uriTemplate the ingress's connect-udp template (RFC 9298 §2); default the well-known one
 * @param innerMaxUdpPayload the largest packet the inner QUIC connection may grow to by path MTU
 *     discovery; it never exceeds what one outer DATAGRAM frame holds (docs/architecture.md §3),
 *     which is also the default
 * @param tokens where Privacy Pass tokens for the ingress come from; none when absent
 * @param quicForwarding offer the ingress forwarded mode for the inner connection
 *     (docs/quic-forwarding.md); default true
 * @param quicDatagrams negotiate QUIC DATAGRAM frames (RFC 9221) on the outer connection; false
 *     carries the inner packets in DATAGRAM capsules on the tunnel stream instead (RFC 9297 §3.5),
 *     as the client also does when the ingress offers no datagrams; default true
 * @param transport how the client reaches the ingress: {@code h3} (QUIC only), {@code h2} (HTTP/2
 *     over TLS on TCP, to the same address and port, for networks that block UDP) or {@code auto}
 *     (the default: QUIC first, HTTP/2 if QUIC has not connected within {@link
 *     MasqueClient#ATTEMPT_DELAY_MILLIS} ms or fails; docs/architecture.md §3.6)
 */
public record ClientConfig(
        HopConfig ingress,
        HopConfig egress,
        @Nullable Path caFile,
        @Nullable String uriTemplate,
        @Nullable Integer innerMaxUdpPayload,
        @Nullable TokensConfig tokens,
        @Nullable Boolean quicForwarding,
        @Nullable Boolean quicDatagrams,
        @Nullable String transport)
        implements YamlConfigLoader.Validated {

    /** A config with the default {@code transport}. */
    public ClientConfig(
            HopConfig ingress,
            HopConfig egress,
            @Nullable Path caFile,
            @Nullable String uriTemplate,
            @Nullable Integer innerMaxUdpPayload,
            @Nullable TokensConfig tokens,
            @Nullable Boolean quicForwarding,
            @Nullable Boolean quicDatagrams) {
        this(ingress, egress, caFile, uriTemplate, innerMaxUdpPayload, tokens, quicForwarding, quicDatagrams, null);
    }

    /** A config with the default {@code quic-datagrams} and {@code transport}. */
    public ClientConfig(
            HopConfig ingress,
            HopConfig egress,
            @Nullable Path caFile,
            @Nullable String uriTemplate,
            @Nullable Integer innerMaxUdpPayload,
            @Nullable TokensConfig tokens,
            @Nullable Boolean quicForwarding) {
        this(ingress, egress, caFile, uriTemplate, innerMaxUdpPayload, tokens, quicForwarding, null, null);
    }

    /**
     * The Privacy Pass issuer (RFC 9578) the client fetches tokens from when the ingress asks
     * for them with a 407.
     *
     * @param issuer the issuer's base or directory URL
     * @param apiKeyFile the file holding the account's API key (never logged)
     */
    public record TokensConfig(URI issuer, @Nullable Path apiKeyFile) {}

    public static ClientConfig load(Path file) throws ConfigException {
        return YamlConfigLoader.load(
                file,
                ClientConfig.class,
                (c, dir) -> new ClientConfig(
                        c.ingress,
                        c.egress,
                        c.caFile == null ? null : dir.resolve(c.caFile),
                        c.uriTemplate,
                        c.innerMaxUdpPayload,
                        c.tokens == null
                                ? null
                                : new TokensConfig(
                                        c.tokens.issuer(),
                                        c.tokens.apiKeyFile() == null ? null : dir.resolve(c.tokens.apiKeyFile())),
                        c.quicForwarding,
                        c.quicDatagrams,
                        c.transport));
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
        if (tokens != null) {
            if (tokens.issuer() == null
                    || tokens.issuer().getScheme() == null
                    || !tokens.issuer().getScheme().matches("https?")) {
                errors.add("tokens.issuer", tokens.issuer(), "the issuer's http(s) URL");
            }
            if (tokens.apiKeyFile() == null) {
                errors.missing("tokens.api-key-file");
            } else if (!Files.isReadable(tokens.apiKeyFile())) {
                errors.add("tokens.api-key-file", tokens.apiKeyFile(), "a readable file holding the API key");
            }
        }
        if (transport != null) {
            errors.parse("transport", transport, MasqueClient.Transport::parse, "h3, h2 or auto");
        }
        if (innerMaxUdpPayload != null) {
            errors.check(
                    innerMaxUdpPayload >= 1200 && innerMaxUdpPayload <= 1452,
                    "inner-max-udp-payload",
                    innerMaxUdpPayload,
                    "1200-1452 (QUIC needs 1200; the outer frame holds at most about 1420)");
        }
    }

    public UdpProxyTemplate template() {
        return uriTemplate == null ? UdpProxyTemplate.defaultTemplate() : UdpProxyTemplate.parse(uriTemplate);
    }

    /** Whether tunnels offer forwarded mode to the ingress (docs/quic-forwarding.md); default yes. */
    public boolean quicForwardingOrDefault() {
        return quicForwarding == null || quicForwarding;
    }

    /** The inner connection's packet size limit, {@code room} (what the outer frame holds) by default. */
    /** Whether the outer connection negotiates QUIC DATAGRAM frames; default yes. */
    public boolean quicDatagramsOrDefault() {
        return quicDatagrams == null || quicDatagrams;
    }

    public MasqueClient.Transport transportOrDefault() {
        return transport == null ? MasqueClient.Transport.AUTO : MasqueClient.Transport.parse(transport);
    }

    public int innerMaxUdpPayloadOrDefault(int room) {
        return innerMaxUdpPayload == null ? room : innerMaxUdpPayload;
    }
}
