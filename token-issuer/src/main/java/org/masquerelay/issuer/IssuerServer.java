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
package org.masquerelay.issuer;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.PemFiles;
import org.masquerelay.config.TlsConfig;
import org.masquerelay.issuer.config.IssuerConfig;
import org.masquerelay.issuer.downstream.DirectoryHandler;
import org.masquerelay.issuer.downstream.TokenRequestHandler;
import org.masquerelay.issuer.policy.AccountLimiter;
import org.masquerelay.issuer.policy.ApiKeys;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.IssuanceHttp;
import org.masquerelay.protocol.token.TokenKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Privacy Pass issuer (docs/architecture.md §5): the <a href="https://www.rfc-editor.org/rfc/rfc9578">RFC
 * 9578</a> issuance protocol for token type 0x0002 over HTTP/1.1, for clients that hold an account
 * API key.
 *
 * <ul>
 *   <li>{@code GET /.well-known/private-token-issuer-directory}: {@link DirectoryHandler};
 *   <li>{@code POST /token-request}: {@link TokenRequestHandler};
 *   <li>anything else: 404.
 * </ul>
 *
 * <p>It runs on the JDK's {@code com.sun.net.httpserver}: the work per request is one 2048-bit RSA
 * private-key operation, so the server is CPU-bound long before an event loop would pay off, and a
 * fixed pool of one thread per core (at least two) is the right shape. It needs no dependency,
 * and the relays' admin listeners already use it. With {@code tls} configured it serves HTTPS.
 *
 * <p>Rate-limit state lives in memory ({@link AccountLimiter}) and is lost on restart.
 */
public final class IssuerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IssuerServer.class);
    private static final char[] KEY_STORE_PASSWORD = "in-memory".toCharArray();

    private final HttpServer server;
    private final ExecutorService executor;
    private final TokenKey tokenKey;
    private final String issuerName;
    private final boolean https;

    private IssuerServer(
            HttpServer server, ExecutorService executor, TokenKey tokenKey, String issuerName, boolean https) {
        this.server = server;
        this.executor = executor;
        this.tokenKey = tokenKey;
        this.issuerName = issuerName;
        this.https = https;
    }

    /**
     * Reads the key files of a validated config, binds, and starts serving.
     *
     * @throws ConfigException if a file changed since validation and no longer parses
     * @throws IOException if a file cannot be read or the address cannot be bound
     * @throws GeneralSecurityException if the TLS key and certificate cannot be used
     */
    public static IssuerServer start(IssuerConfig config)
            throws IOException, ConfigException, GeneralSecurityException {
        BlindRsaPrivateKey signingKey = config.readSigningKey();
        ApiKeys apiKeys = config.readApiKeys();
        TokenKey tokenKey = TokenKey.of(signingKey.publicKey());
        AccountLimiter limiter =
                new AccountLimiter(config.tokensPerHourOrDefault(), config.maxBatchOrDefault(), System::nanoTime);
        HttpServer server;
        try {
            if (config.tls() == null) {
                server = HttpServer.create(config.listenAddress(), 64);
            } else {
                HttpsServer httpsServer = HttpsServer.create(config.listenAddress(), 64);
                httpsServer.setHttpsConfigurator(new HttpsConfigurator(sslContext(config.tls())));
                server = httpsServer;
            }
        } catch (java.net.BindException e) {
            throw org.masquerelay.server.BindFailure.of("issuer listener", "TCP", config.listenAddress(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()), new DaemonThreads());
        server.setExecutor(executor);
        server.createContext(IssuanceHttp.DIRECTORY_PATH, new DirectoryHandler(tokenKey));
        server.createContext(
                IssuanceHttp.REQUEST_PATH, new TokenRequestHandler(config.issuerName(), signingKey, apiKeys, limiter));
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(404, -1);
            }
        });
        server.start();
        IssuerServer issuer = new IssuerServer(server, executor, tokenKey, config.issuerName(), config.tls() != null);
        log.info(
                "issuer {} on {}, token key id {}, {} accounts, {} tokens per hour, max-batch {}",
                issuer.issuerName,
                issuer.directoryUri(),
                issuer.tokenKeyIdHex(),
                apiKeys.size(),
                config.tokensPerHourOrDefault(),
                config.maxBatchOrDefault());
        if (!issuer.https && !issuer.address().getAddress().isLoopbackAddress()) {
            log.warn("issuer serves plain HTTP on a non-loopback address: api keys cross the network in clear"
                    + " unless a TLS proxy sits in front; configure tls to serve HTTPS");
        }
        return issuer;
    }

    private static SSLContext sslContext(TlsConfig tls) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry(
                "issuer",
                PemFiles.readPrivateKey(Objects.requireNonNull(tls.privateKey(), "tls.private-key")),
                KEY_STORE_PASSWORD,
                PemFiles.readCertificates(Objects.requireNonNull(tls.certificate(), "tls.certificate"))
                        .toArray(new X509Certificate[0]));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, KEY_STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    /** Returns the bound address, with the actual port when the config asked for port 0. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Returns the directory's URL at the bound address, {@code http[s]://ip:port/.well-known/...}. */
    public URI directoryUri() {
        InetSocketAddress address = address();
        try {
            return new URI(
                    https ? "https" : "http",
                    null,
                    address.getAddress().getHostAddress(),
                    address.getPort(),
                    IssuanceHttp.DIRECTORY_PATH,
                    null,
                    null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("an IP address and port always form a URI", e);
        }
    }

    /** Returns the token key that the directory lists and clients' tokens verify against. */
    public TokenKey tokenKey() {
        return tokenKey;
    }

    /** Returns token_key_id (RFC 9578 §6.5) in lower-case hex, the form the banner prints. */
    public String tokenKeyIdHex() {
        return HexFormat.of().formatHex(tokenKey.tokenKeyId());
    }

    /** Returns the configured issuer name. */
    public String issuerName() {
        return issuerName;
    }

    /**
     * Stops accepting connections, lets requests in progress finish for up to {@code drain}, then
     * closes.
     */
    public void close(Duration drain) {
        server.stop((int) Math.min(Integer.MAX_VALUE, Math.max(0, drain.toSeconds())));
        executor.shutdown();
        try {
            if (!executor.awaitTermination(drain.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Closes at once, abandoning requests in progress. */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /** Daemon threads, so an issuer never keeps a JVM alive that is otherwise done. */
    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "issuer-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
