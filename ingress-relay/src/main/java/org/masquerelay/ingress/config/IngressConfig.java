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
package org.masquerelay.ingress.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.AdminConfig;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.RelayChecks;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.config.YamlConfigLoader;
import org.masquerelay.protocol.uri.UdpProxyTemplate;

/**
 * The ingress relay's configuration file ({@code ingress.yaml}).
 *
 * @param listen QUIC listen address, {@code host:port} with a numeric host
 * @param tls server certificate and key
 * @param admin admin HTTP listener ({@code /healthz}, {@code /metrics})
 * @param egressRelays the only targets connect-udp may reach, as {@code ip:port}
 * @param uriTemplate connect-udp URI template (RFC 9298 §2); default the well-known one
 * @param proxyName our name in {@code proxy-status} (RFC 9209 §2)
 * @param limits resource limits
 * @param drainTimeout how long SIGTERM waits for tunnels to end after GOAWAY
 * @param geo client geolocation and the signed {@code geo-assertion} (docs/architecture.md §4); none when absent
 * @param tokens Privacy Pass access control (docs/architecture.md §5); when absent every client is admitted
 * @param quicForwarding QUIC-aware forwarding of the inner connection (docs/quic-forwarding.md); on by default
 * @param http2 the HTTP/2 fallback listener on TCP (docs/architecture.md §3.6); on by default
 * @param quicDatagrams whether the QUIC listener offers DATAGRAM frames (RFC 9221); default true.
 *     Without them clients carry their tunnels in DATAGRAM capsules (RFC 9297 §3.5)
 */
public record IngressConfig(
        String listen,
        @Nullable TlsConfig tls,
        @Nullable AdminConfig admin,
        List<String> egressRelays,
        @Nullable String uriTemplate,
        @Nullable String proxyName,
        @Nullable LimitsConfig limits,
        @Nullable Duration drainTimeout,
        @Nullable GeolocationConfig geo,
        @Nullable TokensConfig tokens,
        @Nullable ForwardingConfig quicForwarding,
        @Nullable Http2Config http2,
        @Nullable Boolean quicDatagrams)
        implements YamlConfigLoader.Validated {

    public static IngressConfig load(Path file) throws ConfigException {
        return YamlConfigLoader.load(file, IngressConfig.class, IngressConfig::resolvePaths);
    }

    IngressConfig resolvePaths(Path base) {
        return new IngressConfig(
                listen,
                tls == null ? null : tls.resolve(base),
                admin,
                egressRelays,
                uriTemplate,
                proxyName,
                limits,
                drainTimeout,
                geo == null ? null : geo.resolve(base),
                tokens == null ? null : tokens.resolve(base),
                quicForwarding,
                http2,
                quicDatagrams);
    }

    @Override
    public void validate(ConfigErrors errors) {
        RelayChecks.common(errors, listen, tls, admin, proxyName, drainTimeout);
        if (egressRelays == null || egressRelays.isEmpty()) {
            errors.add("egress-relays", egressRelays, "at least one ip:port");
        }
        errors.parseEach("egress-relays", egressRelays, Addresses::socketAddress, "ip:port");
        if (uriTemplate != null) {
            errors.parse(
                    "uri-template",
                    uriTemplate,
                    UdpProxyTemplate::parse,
                    "an RFC 9298 template with {target_host} and {target_port}");
        }
        if (limits != null) {
            limits.validate("limits", errors);
        }
        if (geo != null) {
            geo.validate("geo", errors);
        }
        if (tokens != null) {
            tokens.validate("tokens", errors);
        }
        if (quicForwarding != null) {
            quicForwarding.validate("quic-forwarding", errors);
        }
        if (http2 != null) {
            http2.validate("http2", errors);
        }
    }

    public InetSocketAddress listenAddress() {
        return Addresses.socketAddress(listen);
    }

    public List<InetSocketAddress> egressRelayAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String s : egressRelays) {
            out.add(Addresses.socketAddress(s));
        }
        return out;
    }

    public UdpProxyTemplate template() {
        return uriTemplate == null ? UdpProxyTemplate.defaultTemplate() : UdpProxyTemplate.parse(uriTemplate);
    }

    public String proxyNameOrDefault() {
        return proxyName == null ? "ingress" : proxyName;
    }

    public LimitsConfig limitsOrDefault() {
        return limits == null ? LimitsConfig.DEFAULTS : limits.withDefaults();
    }

    public ForwardingConfig quicForwardingOrDefault() {
        return quicForwarding == null ? ForwardingConfig.DEFAULTS : quicForwarding;
    }

    public Http2Config http2OrDefault() {
        return http2 == null ? Http2Config.DEFAULTS : http2;
    }

    public boolean quicDatagramsOrDefault() {
        return quicDatagrams == null || quicDatagrams;
    }

    public Duration drainTimeoutOrDefault() {
        return drainTimeout == null ? Duration.ofSeconds(10) : drainTimeout;
    }
}
