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

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private certificate authority for tests, the demo and small deployments.
 *
 * <p>QUIC (RFC 9001 §4.4) has no unauthenticated mode, so every relay hop needs a certificate that
 * the next client will accept, including for {@code 127.0.0.1}. Netty's {@code
 * SelfSignedCertificate} cannot carry IP subjectAltNames or form a chain, and shelling out to
 * openssl makes tests depend on the host. This class issues a real two-level chain (CA → server)
 * in-process and writes it in the PEM shapes that both {@code SslContextBuilder} and {@code
 * QuicSslContextBuilder.forServer(keyFile, null, certChainFile)} load: an unencrypted PKCS#8 {@code
 * PRIVATE KEY} and a leaf-first certificate chain.
 *
 * <p>Keys are EC P-256 signed with ECDSA-SHA256 because every TLS 1.3 stack supports them and they
 * are cheap to generate in a test. Signing uses the JDK's default providers; the BouncyCastle
 * provider is never installed, so loading this class has no global side effect.
 *
 * <p>All methods are thread-safe.
 */
public final class Pki {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

    private Pki() {}

    /**
     * A certificate, its private key, and the chain to present in a TLS handshake.
     *
     * @param certificate the end-entity (or CA) certificate the key belongs to
     * @param privateKey the key that matches {@code certificate}
     * @param chain {@code certificate} first, then each issuer up to and including the self-signed
     *     root; this is the order a TLS {@code Certificate} message and a PEM chain file use
     */
    public record Credential(X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> chain) {
        /** Copies the chain and checks that it starts with {@code certificate}. */
        public Credential {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
            chain = List.copyOf(chain);
            if (chain.isEmpty() || !chain.get(0).equals(certificate)) {
                throw new IllegalArgumentException("chain: does not start with certificate (expected: leaf first)");
            }
        }
    }

    /**
     * Creates a self-signed root CA: basicConstraints CA:true (critical), keyUsage keyCertSign and
     * cRLSign (critical), and a subject key identifier so issued certificates can name it.
     *
     * @param commonName the subject CN, for example {@code "masque-relay test CA"}
     * @param validity how long from now the CA stays valid (it is also valid one minute back)
     */
    public static Credential newCa(String commonName, Duration validity) {
        Objects.requireNonNull(commonName, "commonName");
        requirePositive(validity);
        KeyPair keys = newKeyPair();
        X500Name subject = name(commonName);
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            subject,
                            newSerial(),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(validity)),
                            subject,
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = sign(builder, keys.getPrivate());
            return new Credential(cert, keys.getPrivate(), List.of(cert));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create CA " + commonName, e);
        }
    }

    /**
     * Issues a TLS server certificate signed by {@code ca}: subjectAltName with the given DNS names
     * and IP addresses, extendedKeyUsage serverAuth, keyUsage digitalSignature (critical),
     * basicConstraints CA:false (critical), and subject/authority key identifiers. Clients match the
     * host against the subjectAltName only (RFC 9110 §4.3.4), so at least one name or address is
     * required.
     *
     * @param ca the issuing CA, as returned by {@link #newCa}
     * @param commonName the subject CN (informational; clients ignore it when a SAN is present)
     * @param dnsNames DNS subjectAltNames, for example {@code localhost}
     * @param ipAddresses IP subjectAltNames, for example {@code 127.0.0.1}
     * @param validity how long from now the certificate stays valid (it is also valid one minute
     *     back, to absorb clock skew between the processes of a test)
     * @return the leaf with chain {@code [leaf, ca chain...]}
     */
    public static Credential issueServer(
            Credential ca, String commonName, List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity) {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(commonName, "commonName");
        requirePositive(validity);
        List<GeneralName> altNames = new ArrayList<>();
        for (String dns : dnsNames) {
            altNames.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (InetAddress ip : ipAddresses) {
            altNames.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress()));
        }
        if (altNames.isEmpty()) {
            throw new IllegalArgumentException(
                    "dnsNames, ipAddresses: both empty (expected: at least one subjectAltName)");
        }
        KeyPair keys = newKeyPair();
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            ca.certificate(),
                            newSerial(),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(validity)),
                            name(commonName),
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(altNames.toArray(new GeneralName[0])))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            extensions.createAuthorityKeyIdentifier(ca.certificate()));
            X509Certificate cert = sign(builder, ca.privateKey());
            List<X509Certificate> chain = new ArrayList<>(ca.chain().size() + 1);
            chain.add(cert);
            chain.addAll(ca.chain());
            return new Credential(cert, keys.getPrivate(), chain);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue certificate for " + commonName, e);
        }
    }

    /**
     * Writes certificates as concatenated PEM {@code CERTIFICATE} blocks, in the given order (leaf
     * first for a chain file).
     */
    public static void writeCertificatePem(Path file, List<X509Certificate> certs) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (X509Certificate cert : certs) {
                pem.writeObject(cert);
            }
        }
    }

    /**
     * Writes an unencrypted PKCS#8 {@code PRIVATE KEY} PEM block, the only key form that both Netty's
     * JDK and BoringSSL (QUIC) contexts load without a password. Where the file system is POSIX, the
     * file is {@code rw-------} before the key is written into it.
     */
    public static void writePrivateKeyPem(Path file, PrivateKey key) throws IOException {
        try (Writer out = secretWriter(file);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
    }

    /**
     * Writes {@code text} (a key, an API key, an account file) so that, where the file system is
     * POSIX, the file is {@code rw-------} before the secret is in it.
     */
    public static void writeSecret(Path file, String text) throws IOException {
        try (Writer out = secretWriter(file)) {
            out.write(text);
        }
    }

    private static Writer secretWriter(Path file) throws IOException {
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix && Files.exists(file)) {
            Files.setPosixFilePermissions(file, OWNER_READ_WRITE);
        }
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)}
                : new FileAttribute<?>[0];
        Set<StandardOpenOption> options =
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        SeekableByteChannel channel = Files.newByteChannel(file, options, attributes);
        return Channels.newWriter(channel, StandardCharsets.UTF_8);
    }

    /**
     * Returns the public-key pin {@code sha256/<base64>} of the certificate's SubjectPublicKeyInfo
     * (the digest of RFC 7469 §2.4, written the way OkHttp's {@code CertificatePinner} takes it). A
     * pin survives re-issuing the certificate with the same key, which is what a client pinning a
     * relay wants. curl's {@code --pinnedpubkey} wants the same base64 after {@code sha256//} (two
     * slashes) and checks it against the leaf only.
     */
    public static String spkiSha256Pin(X509Certificate certificate) {
        try {
            byte[] spki = certificate.getPublicKey().getEncoded();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
            return "sha256/" + Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 unavailable", e);
        }
    }

    /** A random positive serial of 128 bits, within RFC 5280 §4.1.2.2's 20-octet limit. */
    private static BigInteger newSerial() {
        byte[] bytes = new byte[16];
        BigInteger serial;
        do {
            RANDOM.nextBytes(bytes);
            serial = new BigInteger(1, bytes);
        } while (serial.signum() == 0);
        return serial;
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static void requirePositive(Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity: " + validity + " (expected: > 0)");
        }
    }
}
