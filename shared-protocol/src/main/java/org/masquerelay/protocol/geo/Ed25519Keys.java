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
package org.masquerelay.protocol.geo;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Ed25519 keys as text, with the JDK's own EdDSA (JDK 15+, <a
 * href="https://www.rfc-editor.org/rfc/rfc8032">RFC 8032</a>): private keys as PKCS#8 PEM ({@code
 * -----BEGIN PRIVATE KEY-----}, <a href="https://www.rfc-editor.org/rfc/rfc8410#section-7">RFC
 * 8410 §7</a>, <a href="https://www.rfc-editor.org/rfc/rfc7468#section-10">RFC 7468 §10</a>),
 * public keys as SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}, <a
 * href="https://www.rfc-editor.org/rfc/rfc8410#section-4">RFC 8410 §4</a>, <a
 * href="https://www.rfc-editor.org/rfc/rfc7468#section-13">RFC 7468 §13</a>). These are the forms
 * {@code openssl genpkey -algorithm ed25519} and {@code openssl pkey -pubout} write.
 *
 * <p><b>Key ids.</b> The {@code kid} of an assertion names the ingress key that signed it. An
 * operator may choose it (1-32 of {@code A-Za-z0-9_-}); by default it is {@link #defaultKeyId}:
 * the first 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo, base64url without padding (11
 * characters), so ingress and egress derive the same id from the public key alone.
 *
 * <p>Pure: text and bytes in and out. Callers read and write the files.
 */
public final class Ed25519Keys {

    /** Longest PEM text read; an Ed25519 key is about 120 characters. */
    public static final int MAX_PEM_LENGTH = 4096;

    /** Bytes of SHA-256 over the SubjectPublicKeyInfo kept in a {@linkplain #defaultKeyId default key id}. */
    static final int KEY_ID_HASH_BYTES = 8;

    /** DER SubjectPublicKeyInfo up to the 32-byte key: SEQUENCE, AlgorithmIdentifier id-Ed25519, BIT STRING (RFC 8410 §4). */
    private static final byte[] SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    };

    /** DER PKCS#8 v1 up to the 32-byte seed: SEQUENCE, version 0, id-Ed25519, OCTET STRING (RFC 8410 §7). */
    private static final byte[] PKCS8_PREFIX = {
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    };

    /** Length of a raw Ed25519 public key or secret seed (RFC 8032 §5.1.5). */
    static final int KEY_LENGTH = 32;

    /** JCA name of the algorithm, for {@code Signature}, {@code KeyFactory} and {@code KeyPairGenerator}. */
    static final String ED25519 = NamedParameterSpec.ED25519.getName();

    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private Ed25519Keys() {}

    /** Generates a key pair from {@code random}. */
    public static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ED25519);
            generator.initialize(NamedParameterSpec.ED25519, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks Ed25519", e);
        }
    }

    /**
     * Returns the private key whose RFC 8032 §5.1.5 32-byte secret is {@code seed}.
     *
     * @throws IllegalArgumentException if {@code seed} is not 32 bytes
     */
    public static PrivateKey privateKeyFromSeed(byte[] seed) {
        return privateKeyFromPkcs8(concat(PKCS8_PREFIX, requireKeyLength("seed", seed)));
    }

    /**
     * Returns the public key whose RFC 8032 §5.1.5 32-byte encoding is {@code raw}.
     *
     * @throws IllegalArgumentException if {@code raw} is not 32 bytes
     * @throws MalformedKeyException if {@code raw} is not a point on the curve
     */
    public static PublicKey publicKeyFromRaw(byte[] raw) {
        return publicKeyFromSpki(concat(SPKI_PREFIX, requireKeyLength("raw", raw)));
    }

    /** Returns the 32-byte RFC 8032 §5.1.5 encoding of {@code key}. */
    public static byte[] rawPublicKey(PublicKey key) {
        byte[] spki = requireEd25519(key).getEncoded();
        if (spki.length != SPKI_PREFIX.length + KEY_LENGTH
                || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("key: unexpected SubjectPublicKeyInfo encoding");
        }
        return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
    }

    /**
     * Returns the public key of {@code key}. The JDK has no call for this, so the key pair is
     * generated again from the secret seed: the JDK's generator draws exactly the 32-byte seed
     * from its random source (RFC 8032 §5.1.5), and the check below fails loudly should a JDK
     * ever draw differently.
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        byte[] seed = ((EdECPrivateKey) requireEd25519(key))
                .getBytes()
                .orElseThrow(() -> new IllegalArgumentException("key: private bytes unavailable"));
        SeedRandom random = new SeedRandom(seed);
        PublicKey publicKey = generate(random).getPublic();
        if (!random.drewSeedOnce()) {
            throw new IllegalStateException("JDK Ed25519 generator did not draw one 32-byte seed");
        }
        return publicKey;
    }

    /**
     * Returns the default key id of {@code key}: base64url, without padding, of the first 8 bytes
     * of SHA-256 over its DER SubjectPublicKeyInfo.
     */
    public static String defaultKeyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(requireEd25519(key).getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, KEY_ID_HASH_BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks SHA-256", e);
        }
    }

    /** Returns {@code key} as PKCS#8 PEM, 64-character lines, ending in a newline. */
    public static String privateKeyToPem(PrivateKey key) {
        return pem(PRIVATE_LABEL, requireEd25519(key).getEncoded());
    }

    /** Returns {@code key} as SubjectPublicKeyInfo PEM, 64-character lines, ending in a newline. */
    public static String publicKeyToPem(PublicKey key) {
        return pem(PUBLIC_LABEL, requireEd25519(key).getEncoded());
    }

    /**
     * Reads a PKCS#8 PEM Ed25519 private key: one {@code PRIVATE KEY} block, white space allowed
     * around it and inside the base64 (RFC 7468 §3).
     *
     * @throws MalformedKeyException if the text is longer than {@value #MAX_PEM_LENGTH}
     *     characters, not one such block, not base64, or not an Ed25519 PKCS#8 key (an encrypted
     *     or other-algorithm key included)
     */
    public static PrivateKey privateKeyFromPem(String pem) {
        return privateKeyFromPkcs8(pemBody(pem, PRIVATE_LABEL));
    }

    /**
     * Reads a SubjectPublicKeyInfo PEM Ed25519 public key: one {@code PUBLIC KEY} block.
     *
     * @throws MalformedKeyException as {@link #privateKeyFromPem} does
     */
    public static PublicKey publicKeyFromPem(String pem) {
        return publicKeyFromSpki(pemBody(pem, PUBLIC_LABEL));
    }

    /** Returns whether {@code key} is an Ed25519 (not Ed448, not another algorithm) key. */
    static boolean isEd25519(Key key) {
        return key instanceof EdECKey ed
                && ED25519.equalsIgnoreCase(ed.getParams().getName());
    }

    static <K extends Key> K requireEd25519(K key) {
        Objects.requireNonNull(key, "key");
        if (!isEd25519(key)) {
            throw new IllegalArgumentException("key: " + key.getAlgorithm() + " (expected: Ed25519)");
        }
        return key;
    }

    private static PrivateKey privateKeyFromPkcs8(byte[] der) {
        return decode(
                PRIVATE_LABEL,
                "PKCS#8 key (RFC 8410 §7)",
                factory -> factory.generatePrivate(new PKCS8EncodedKeySpec(der)));
    }

    private static PublicKey publicKeyFromSpki(byte[] der) {
        return decode(
                PUBLIC_LABEL,
                "SubjectPublicKeyInfo (RFC 8410 §4)",
                factory -> factory.generatePublic(new X509EncodedKeySpec(der)));
    }

    /** Decodes DER with the JDK's Ed25519 key factory; anything but an Ed25519 key is malformed. */
    private static <K extends Key> K decode(String label, String form, KeyDecoder<K> decoder) {
        try {
            K key = decoder.decode(KeyFactory.getInstance(ED25519));
            if (isEd25519(key)) {
                return key;
            }
        } catch (InvalidKeySpecException e) {
            // Not the expected DER, or another algorithm's key: the one message below.
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks Ed25519", e);
        }
        throw new MalformedKeyException(label + " is not an Ed25519 " + form);
    }

    /** One {@link KeyFactory} call. */
    @FunctionalInterface
    private interface KeyDecoder<K extends Key> {
        K decode(KeyFactory factory) throws GeneralSecurityException;
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** Returns the DER inside the one PEM block labelled {@code label} (RFC 7468 §2-3). */
    private static byte[] pemBody(String pem, String label) {
        Objects.requireNonNull(pem, "pem");
        if (pem.length() > MAX_PEM_LENGTH) {
            throw new MalformedKeyException(
                    "PEM text has " + pem.length() + " characters (expected: at most " + MAX_PEM_LENGTH + ")");
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        String text = pem.strip();
        if (!text.startsWith(begin)) {
            throw new MalformedKeyException(
                    text.startsWith("-----BEGIN ")
                            ? "PEM block has another label (expected: " + begin + ", RFC 7468)"
                            : "not PEM (expected: " + begin + ", RFC 7468)");
        }
        if (!text.endsWith(end)) {
            throw new MalformedKeyException("PEM block does not end with " + end);
        }
        String body = text.substring(begin.length(), text.length() - end.length());
        if (body.contains("-----")) {
            throw new MalformedKeyException("PEM text holds more than one block (expected: one " + label + ")");
        }
        try {
            return Base64.getDecoder().decode(body.replaceAll("[ \t\r\n]", ""));
        } catch (IllegalArgumentException e) {
            throw new MalformedKeyException("PEM body is not base64 (RFC 7468 §3)");
        }
    }

    private static byte[] requireKeyLength(String name, byte[] bytes) {
        Objects.requireNonNull(bytes, name);
        if (bytes.length != KEY_LENGTH) {
            throw new IllegalArgumentException(name + ": " + bytes.length + " bytes (expected: " + KEY_LENGTH + ")");
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Hands out one fixed 32-byte seed, so the JDK's generator rebuilds a known key pair. */
    private static final class SeedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;

        private final byte[] seed;
        private int draws;
        private boolean exact = true;

        SeedRandom(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            draws++;
            exact &= bytes.length == seed.length;
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }

        boolean drewSeedOnce() {
            return draws == 1 && exact;
        }
    }
}
