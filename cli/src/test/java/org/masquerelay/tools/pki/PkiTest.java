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
package org.masquerelay.tools.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.PemFiles;

class PkiTest {

    private static Pki.Credential ca;
    private static Pki.Credential server;

    @BeforeAll
    static void issue() throws Exception {
        ca = Pki.newCa("masque-relay test CA", Duration.ofDays(1));
        server = Pki.issueServer(
                ca,
                "localhost",
                List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")),
                Duration.ofHours(1));
    }

    @Test
    void caIsSelfSignedAuthority() throws Exception {
        X509Certificate cert = ca.certificate();
        cert.verify(cert.getPublicKey());
        assertThat(cert.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(cert.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        boolean[] keyUsage = cert.getKeyUsage();
        assertThat(keyUsage[5]).as("keyCertSign").isTrue();
        assertThat(keyUsage[6]).as("cRLSign").isTrue();
        assertThat(keyUsage[0]).as("digitalSignature").isFalse();
        assertThat(cert.getExtensionValue("2.5.29.14"))
                .as("subjectKeyIdentifier")
                .isNotNull();
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(ca.chain()).containsExactly(cert);
    }

    @Test
    void serverCertificateHasLeafProfile() throws Exception {
        X509Certificate cert = server.certificate();
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getSerialNumber().signum()).isPositive();
        assertThat(cert.getSerialNumber().bitLength()).isBetween(100, 128);
        assertThat(cert.getNotBefore()).isBefore(new java.util.Date());
        assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(server.chain()).containsExactly(cert, ca.certificate());
        assertThat(cert.getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(
                        List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
    }

    @Test
    void filesRoundTripAndValidateAgainstCa(@TempDir Path dir) throws Exception {
        Path certFile = dir.resolve("server.crt");
        Path keyFile = dir.resolve("server.key");
        Pki.writeCertificatePem(certFile, server.chain());
        Pki.writePrivateKeyPem(keyFile, server.privateKey());

        assertThat(Files.readString(keyFile))
                .startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Files.readString(certFile)).startsWith("-----BEGIN CERTIFICATE-----\n");
        if (Files.getFileStore(keyFile).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                    .isEqualTo("rw-------");
        }

        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        assertThat(chain).containsExactlyElementsOf(server.chain());
        assertThat(key.getEncoded()).isEqualTo(server.privateKey().getEncoded());

        // The key read back signs what the certificate's public key verifies.
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(chain.get(0));
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();

        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, 1));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(chain.get(1), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    @Test
    void nettyLoadsTheFiles(@TempDir Path dir) throws Exception {
        Path certFile = dir.resolve("chain.pem");
        Path keyFile = dir.resolve("key.pem");
        Pki.writeCertificatePem(certFile, server.chain());
        Pki.writePrivateKeyPem(keyFile, server.privateKey());

        // Netty's JDK builder takes the chain first; QuicSslContextBuilder.forServer takes the key
        // first. Both read the same two files.
        SslContext ctx = SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile())
                .sslProvider(SslProvider.JDK)
                .build();
        assertThat(ctx.isServer()).isTrue();
    }

    @Test
    void quicLoadsTheFiles(@TempDir Path dir) throws Exception {
        Path certFile = dir.resolve("chain.pem");
        Path keyFile = dir.resolve("key.pem");
        Pki.writeCertificatePem(certFile, server.chain());
        Pki.writePrivateKeyPem(keyFile, server.privateKey());

        QuicSslContext ctx = QuicSslContextBuilder.forServer(keyFile.toFile(), null, certFile.toFile())
                .applicationProtocols("h3")
                .build();
        try {
            assertThat(ctx.isServer()).isTrue();
        } finally {
            ReferenceCountUtil.release(ctx);
        }
    }

    @Test
    void overwritingAKeyFileKeepsItPrivate(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(keyFile, "old, world-readable");
        if (Files.getFileStore(keyFile).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Pki.writePrivateKeyPem(keyFile, ca.privateKey());
        assertThat(PemFiles.readPrivateKey(keyFile).getEncoded())
                .isEqualTo(ca.privateKey().getEncoded());
        if (Files.getFileStore(keyFile).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void pinIsSha256OfSubjectPublicKeyInfo() throws Exception {
        String pin = Pki.spkiSha256Pin(server.certificate());
        assertThat(pin).matches("sha256/[A-Za-z0-9+/]{43}=");
        byte[] expected = MessageDigest.getInstance("SHA-256")
                .digest(server.certificate().getPublicKey().getEncoded());
        assertThat(Base64.getDecoder().decode(pin.substring("sha256/".length())))
                .isEqualTo(expected);
        assertThat(pin).isNotEqualTo(Pki.spkiSha256Pin(ca.certificate()));
    }

    @Test
    void serverWithoutSubjectAltNameIsRejected() {
        assertThatThrownBy(() -> Pki.issueServer(ca, "nobody", List.of(), List.of(), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("subjectAltName");
    }

    @Test
    void readingAFileWithoutPemBlocksFails(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not pem\n");
        assertThatThrownBy(() -> PemFiles.readCertificates(empty)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PemFiles.readPrivateKey(empty)).isInstanceOf(IOException.class);
    }
}
