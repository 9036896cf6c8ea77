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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.token.TokenKey;

/**
 * The ingress's {@code tokens:} section (docs/architecture.md §5): connect-udp needs a Privacy Pass token
 * (RFC 9577, type 0x0002) from this issuer.
 *
 * <pre>
 * tokens:
 *   issuer-name: issuer.example        # the issuer's name (its directory, RFC 9578 §4)
 *   token-keys: [issuer-token-key.pub] # the issuer's public token keys, current first
 *   origin-info: ingress.example       # names this ingress in the challenge; default: proxy-name
 *   max-spent-tokens-per-key: 1000000  # bound of the in-memory double-spend set
 *   spend-store: {uri: redis://10.0.0.5:6379}  # a fleet-shared set; see SpendStoreConfig
 * </pre>
 *
 * <p>A token key file holds the key's SubjectPublicKeyInfo (RSASSA-PSS form, RFC 9578 §6.5):
 * PEM ({@code PUBLIC KEY}), or the base64url text the issuer directory publishes.
 */
public record TokensConfig(
        String issuerName,
        @Nullable List<Path> tokenKeys,
        @Nullable String originInfo,
        @Nullable Long maxSpentTokensPerKey,
        @Nullable SpendStoreConfig spendStore) {

    TokensConfig resolve(Path base) {
        return new TokensConfig(
                issuerName,
                tokenKeys == null ? null : tokenKeys.stream().map(base::resolve).toList(),
                originInfo,
                maxSpentTokensPerKey,
                spendStore == null ? null : spendStore.resolve(base));
    }

    void validate(String path, ConfigErrors errors) {
        if (issuerName == null || issuerName.isBlank()) {
            errors.missing(path + ".issuer-name");
        }
        if (tokenKeys == null || tokenKeys.isEmpty()) {
            errors.add(path + ".token-keys", tokenKeys, "at least one issuer token key file");
        } else {
            for (int i = 0; i < tokenKeys.size(); i++) {
                readKey(path + ".token-keys[" + i + "]", tokenKeys.get(i), errors);
            }
        }
        if (maxSpentTokensPerKey != null) {
            errors.check(
                    maxSpentTokensPerKey >= 1000, path + ".max-spent-tokens-per-key", maxSpentTokensPerKey, ">= 1000");
        }
        if (spendStore != null) {
            spendStore.validate(path + ".spend-store", errors);
        }
    }

    private static @Nullable TokenKey readKey(String path, Path file, ConfigErrors errors) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            errors.add(path, file, "a readable token key file");
            return null;
        }
        try {
            return decode(text);
        } catch (ProtocolException | IllegalArgumentException e) {
            errors.add(path, file, "an RSASSA-PSS SubjectPublicKeyInfo in PEM or base64url; " + e.getMessage());
            return null;
        }
    }

    /** Decodes a token key file's text: PEM, or base64/base64url of the SPKI. */
    public static TokenKey decode(String text) {
        String body = text.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = body.contains("-") || body.contains("_")
                ? Base64.getUrlDecoder().decode(body)
                : Base64.getDecoder().decode(body);
        return TokenKey.decode(der);
    }

    /** The trusted keys; call only on a validated config. */
    public List<TokenKey> keys() {
        List<TokenKey> out = new ArrayList<>();
        ConfigErrors ignored = new ConfigErrors();
        for (Path p : Objects.requireNonNull(tokenKeys, "token-keys")) {
            TokenKey key = readKey("", p, ignored);
            if (key == null) {
                // The file changed since validation; do not hand on a null key.
                throw new IllegalStateException("token key: " + String.join("; ", ignored.all()));
            }
            out.add(key);
        }
        return out;
    }

    public long maxSpentTokensPerKeyOrDefault() {
        return maxSpentTokensPerKey == null ? 1_000_000 : maxSpentTokensPerKey;
    }
}
