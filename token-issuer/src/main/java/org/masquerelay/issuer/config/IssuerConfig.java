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
package org.masquerelay.issuer.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.config.YamlConfigLoader;
import org.masquerelay.issuer.policy.ApiKeys;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.TokenKey;

/**
 * The Privacy Pass issuer's configuration file ({@code issuer.yaml}), for the RFC 9578 issuance
 * protocol with token type 0x0002 (docs/architecture.md §5).
 *
 * <pre>{@code
 * listen: 127.0.0.1:8443              # ip:port; names are not resolved
 * issuer-name: issuer.example         # issuer_name in the ingress's TokenChallenge (RFC 9577 §2.1)
 * signing-key: issuer.key             # PKCS#8 PEM, blind RSA 2048 (masque issuer keygen)
 * api-keys: api-keys.txt              # account-id:api-key lines; see ApiKeys
 * tokens-per-hour: 100                # per account, sliding hour; default 100
 * max-batch: 8                        # per account, requests signed at once; default 8
 * tls: {certificate: issuer.crt, private-key: issuer-tls.key}   # optional: HTTPS
 * }</pre>
 *
 * <p>Relative paths resolve against the file's directory. Validation reads the signing key and
 * the api-keys file, so {@code --check-config} catches a bad key or a bad account line (by line
 * number) before the server binds. Secrets only ever come from those files; errors describe them
 * without repeating their content.
 *
 * <p>Without {@code tls} the issuer speaks plain HTTP: only for loopback, or behind a proxy that
 * terminates TLS, because the api keys travel in {@code Authorization} headers.
 *
 * @param listen HTTP listen address, {@code ip:port}
 * @param issuerName the issuer's name, {@code host[:port]} (RFC 9577 §2.1.1.1); the ingress puts
 *     it in its challenges, and the issuer prints it at start
 * @param signingKey the signing key file, see {@link SigningKeyFile}
 * @param apiKeys the account file, see {@link ApiKeys}
 * @param tokensPerHour tokens one account may obtain per sliding hour
 * @param maxBatch token requests of one account signed at the same time
 * @param tls certificate and key for HTTPS; absent for plain HTTP
 */
public record IssuerConfig(
        String listen,
        String issuerName,
        @Nullable Path signingKey,
        @Nullable Path apiKeys,
        @Nullable Integer tokensPerHour,
        @Nullable Integer maxBatch,
        @Nullable TlsConfig tls)
        implements YamlConfigLoader.Validated {
    public static final int DEFAULT_TOKENS_PER_HOUR = 100;
    public static final int MAX_TOKENS_PER_HOUR = 100_000;
    public static final int DEFAULT_MAX_BATCH = 8;
    public static final int MAX_MAX_BATCH = 1_000;

    private static final Pattern SERVER_NAME = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+])"
                    + "(:[0-9]{1,5})?");

    public static IssuerConfig load(Path file) throws ConfigException {
        return YamlConfigLoader.load(file, IssuerConfig.class, IssuerConfig::resolvePaths);
    }

    IssuerConfig resolvePaths(Path base) {
        return new IssuerConfig(
                listen,
                issuerName,
                signingKey == null ? null : base.resolve(signingKey),
                apiKeys == null ? null : base.resolve(apiKeys),
                tokensPerHour,
                maxBatch,
                tls == null ? null : tls.resolve(base));
    }

    @Override
    public void validate(ConfigErrors errors) {
        errors.parse("listen", listen, Addresses::socketAddress, "ip:port");
        if (issuerName == null) {
            errors.missing("issuer-name");
        } else {
            errors.check(
                    isServerName(issuerName),
                    "issuer-name",
                    issuerName,
                    "a server name host[:port] (RFC 9577 §2.1.1.1): a DNS name, IPv4 or [IPv6], optional port");
        }
        if (signingKey == null) {
            errors.missing("signing-key");
        } else {
            try {
                SigningKeyFile.read(signingKey);
            } catch (IOException e) {
                errors.add("signing-key", signingKey, "a readable file");
            } catch (IllegalArgumentException e) {
                errors.add(
                        "signing-key",
                        signingKey,
                        "a PKCS#8 PEM blind-RSA key of " + TokenKey.MODULUS_BITS + " bits; " + e.getMessage());
            }
        }
        if (apiKeys == null) {
            errors.missing("api-keys");
        } else {
            ApiKeys.read(apiKeys, "api-keys", errors);
        }
        if (tokensPerHour != null) {
            errors.check(
                    tokensPerHour >= 1 && tokensPerHour <= MAX_TOKENS_PER_HOUR,
                    "tokens-per-hour",
                    tokensPerHour,
                    "1-" + MAX_TOKENS_PER_HOUR);
        }
        if (maxBatch != null) {
            errors.check(maxBatch >= 1 && maxBatch <= MAX_MAX_BATCH, "max-batch", maxBatch, "1-" + MAX_MAX_BATCH);
        }
        if (tls != null) {
            tls.validate("tls", errors);
        }
    }

    /**
     * A server name as RFC 9577 §2.1.1.1 wants for issuer_name, narrowed to DNS names and IP
     * literals so that it can also stand quoted in the {@code realm} of our Bearer challenges.
     */
    private static boolean isServerName(String name) {
        return name.length() <= 255 && SERVER_NAME.matcher(name).matches();
    }

    public InetSocketAddress listenAddress() {
        return Addresses.socketAddress(listen);
    }

    public int tokensPerHourOrDefault() {
        return tokensPerHour == null ? DEFAULT_TOKENS_PER_HOUR : tokensPerHour;
    }

    public int maxBatchOrDefault() {
        return maxBatch == null ? DEFAULT_MAX_BATCH : maxBatch;
    }

    /**
     * Reads the signing key named by a validated config.
     *
     * @throws IOException if the file cannot be read or no longer holds a valid key
     */
    public BlindRsaPrivateKey readSigningKey() throws IOException {
        try {
            return SigningKeyFile.read(Objects.requireNonNull(signingKey, "signing-key"));
        } catch (IllegalArgumentException e) {
            throw new IOException("signing-key " + signingKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the api keys named by a validated config.
     *
     * @throws ConfigException if the file no longer parses
     */
    public ApiKeys readApiKeys() throws ConfigException {
        Path file = Objects.requireNonNull(apiKeys, "api-keys");
        ConfigErrors errors = new ConfigErrors();
        ApiKeys keys = ApiKeys.read(file, "api-keys", errors);
        errors.throwIfAny(file.toString());
        return keys;
    }
}
