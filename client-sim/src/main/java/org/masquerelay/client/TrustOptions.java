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

import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.PemFiles;

/**
 * How the client verifies a relay's certificate: against a CA file (chain and hostname, RFC 6125
 * through the JDK's HTTPS endpoint identification), the JDK's default trust store, a pinned
 * public key, or, only behind an explicit {@code --insecure}, not at all.
 */
public final class TrustOptions {
    private TrustOptions() {}

    static QuicSslContext context(HopConfig hop, @Nullable Path caFile, boolean insecure) throws Exception {
        QuicSslContextBuilder b =
                QuicSslContextBuilder.forClient().applicationProtocols(Http3.supportedApplicationProtocols());
        Trust t = trust(hop, caFile, insecure);
        b.trustManager(t.managers());
        if (t.checkHostname()) {
            b.endpointIdentificationAlgorithm("HTTPS");
        }
        return b.build();
    }

    /**
     * The same trust for TLS over TCP, offering only ALPN {@code h2}: the HTTP/2 fallback to the
     * ingress (docs/architecture.md §3.6).
     */
    static SslContext tcpContext(HopConfig hop, @Nullable Path caFile, boolean insecure) throws Exception {
        Trust t = trust(hop, caFile, insecure);
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .trustManager(t.managers())
                // Netty checks the name given to newHandler against the certificate (RFC 6125)
                // unless told not to: a pinned key or --insecure has no name to check.
                .endpointIdentificationAlgorithm(t.checkHostname() ? "HTTPS" : null)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
    }

    /** Which certificates a hop's TLS accepts, and whether its name is checked too. */
    private record Trust(TrustManagerFactory managers, boolean checkHostname) {}

    private static Trust trust(HopConfig hop, @Nullable Path caFile, boolean insecure) throws Exception {
        if (insecure) {
            return new Trust(InsecureTrustManagerFactory.INSTANCE, false);
        }
        if (hop.pinnedKey() != null) {
            return new Trust(new SingleTrustManagerFactory(new PinningTrustManager(hop.pinnedKey())), false);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (caFile != null) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : PemFiles.readCertificates(caFile)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            tmf.init(ks);
        } else {
            tmf.init((KeyStore) null);
        }
        return new Trust(tmf, true);
    }

    /** A factory of one trust manager, for the builders that take factories only. */
    private static final class SingleTrustManagerFactory extends SimpleTrustManagerFactory {
        private final TrustManager manager;

        SingleTrustManagerFactory(TrustManager manager) {
            this.manager = manager;
        }

        @Override
        protected void engineInit(KeyStore keyStore) {}

        @Override
        protected void engineInit(ManagerFactoryParameters params) {}

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return new TrustManager[] {manager};
        }
    }

    /** Accepts exactly the leaf whose SubjectPublicKeyInfo hashes to the pin (RFC 7469 §2.4). */
    static final class PinningTrustManager extends X509ExtendedTrustManager {
        private final String pin;

        PinningTrustManager(String pin) {
            this.pin = pin;
        }

        static String pinOf(X509Certificate c) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256")
                        .digest(c.getPublicKey().getEncoded());
                return "sha256/" + Base64.getEncoder().encodeToString(d);
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no certificate");
            }
            chain[0].checkValidity();
            if (!MessageDigest.isEqual(
                    pinOf(chain[0]).getBytes(StandardCharsets.US_ASCII), pin.getBytes(StandardCharsets.US_ASCII))) {
                throw new CertificateException("public key does not match the pinned key");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
