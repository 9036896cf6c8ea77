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

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;

/**
 * The ingress's {@code tokens.spend-store:} section (docs/architecture.md §5): where spent tokens
 * are remembered. Absent, they are remembered in this process only; a fleet of ingresses behind
 * one name shares a Redis or Valkey server instead, so a token spent at one is refused at all.
 *
 * <pre>
 * tokens:
 *   spend-store:
 *     uri: redis://10.0.0.5:6379       # redis:// or rediss:// (TLS), host:port, optional /db
 *     password-file: redis.password    # optional; never inline in the uri
 *     on-error: refuse                 # refuse (503, the default) or local (this process's set)
 *     token-key-lifetime: P30D         # how long a token key stays trusted; records expire after it
 *     timeout: PT0.5S                  # one SET NX PX round trip
 * </pre>
 *
 * @param onError what an admission does while the store cannot answer: {@code refuse} answers 503
 *     with a Proxy-Status naming the store; {@code local} redeems in this process's set, so a token
 *     could then be spent once at each ingress of the fleet
 */
public record SpendStoreConfig(
        String uri,
        @Nullable Path passwordFile,
        @Nullable String onError,
        @Nullable Duration tokenKeyLifetime,
        @Nullable Duration timeout) {

    /** What an admission does while the store is down. */
    public enum OnError {
        REFUSE,
        LOCAL
    }

    SpendStoreConfig resolve(Path base) {
        return new SpendStoreConfig(
                uri, passwordFile == null ? null : base.resolve(passwordFile), onError, tokenKeyLifetime, timeout);
    }

    void validate(String path, ConfigErrors errors) {
        if (uri == null) {
            errors.missing(path + ".uri");
        } else {
            checkUri(path + ".uri", uri, errors);
        }
        if (passwordFile != null && !Files.isReadable(passwordFile)) {
            errors.add(path + ".password-file", passwordFile, "a readable file holding the store's password");
        }
        if (onError != null) {
            errors.check(
                    "refuse".equals(onError) || "local".equals(onError),
                    path + ".on-error",
                    onError,
                    "refuse or local");
        }
        if (tokenKeyLifetime != null) {
            errors.check(
                    tokenKeyLifetime.compareTo(Duration.ofMinutes(1)) >= 0,
                    path + ".token-key-lifetime",
                    tokenKeyLifetime,
                    "an ISO-8601 duration of at least PT1M, such as P30D");
        }
        if (timeout != null) {
            errors.check(
                    timeout.compareTo(Duration.ofMillis(1)) >= 0 && timeout.compareTo(Duration.ofSeconds(30)) <= 0,
                    path + ".timeout",
                    timeout,
                    "an ISO-8601 duration from PT0.001S to PT30S, such as PT0.5S");
        }
    }

    private static void checkUri(String path, String text, ConfigErrors errors) {
        String expected = "redis://host:port or rediss://host:port, optionally with /db";
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            errors.add(path, text, expected);
            return;
        }
        if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
            errors.add(path, text, expected + "; the scheme must be redis or rediss");
        } else if (u.getRawUserInfo() != null) {
            // Never echo the value: it holds a secret.
            errors.add(path, "<has a password>", "no user or password in the uri; put the password in password-file");
        } else if (u.getHost() == null || u.getPort() < 1 || u.getPort() > 65535) {
            errors.add(path, text, expected + "; host and port (1-65535) are required");
        } else if (u.getRawQuery() != null || u.getRawFragment() != null) {
            errors.add(path, text, expected + "; no query or fragment");
        } else if (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().matches("/\\d{1,2}")) {
            errors.add(path, text, expected + "; the path is a database number such as /0");
        }
    }

    /** The store's name in logs, metrics and Proxy-Status details: scheme, host and port only. */
    public String displayName() {
        URI u = URI.create(uri);
        return u.getScheme() + "://" + u.getHost() + ":" + u.getPort();
    }

    public OnError onErrorOrDefault() {
        return "local".equals(onError) ? OnError.LOCAL : OnError.REFUSE;
    }

    public Duration tokenKeyLifetimeOrDefault() {
        return tokenKeyLifetime == null ? Duration.ofDays(30) : tokenKeyLifetime;
    }

    public Duration timeoutOrDefault() {
        return timeout == null ? Duration.ofMillis(500) : timeout;
    }
}
