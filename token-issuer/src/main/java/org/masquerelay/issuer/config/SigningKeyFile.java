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
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import org.masquerelay.protocol.token.BlindRsa;
import org.masquerelay.protocol.token.BlindRsaException;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.MalformedTokenException;
import org.masquerelay.protocol.token.TokenKey;

/**
 * The issuer's signing key file: the private key skI of token type 0x0002, blind RSA with a
 * 2048-bit modulus (<a href="https://www.rfc-editor.org/rfc/rfc9578#section-6.5">RFC 9578
 * §6.5</a>), as one unencrypted PKCS#8 PEM block ({@code -----BEGIN PRIVATE KEY-----}, <a
 * href="https://www.rfc-editor.org/rfc/rfc5208">RFC 5208</a>, <a
 * href="https://www.rfc-editor.org/rfc/rfc7468#section-10">RFC 7468 §10</a>).
 *
 * <p>PEM rather than DER because every other key in a deployment (TLS keys, the geo-assertion
 * key) is PKCS#8 PEM, so one set of tools handles them all: {@code masque issuer keygen} writes
 * this form, and so does {@code openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048}.
 * The legacy {@code RSA PRIVATE KEY} (PKCS#1) and encrypted forms are refused with a message that
 * says how to convert them.
 *
 * <p>Messages describe what is wrong with a file and never contain key material.
 */
public final class SigningKeyFile {
    /** Longest file read; a 2048-bit key is about 1.7 KB of PEM. */
    public static final int MAX_FILE_BYTES = 16 * 1024;

    private static final String LABEL = "PRIVATE KEY";

    private SigningKeyFile() {}

    /**
     * Reads and checks a signing key: one PKCS#8 PEM block holding an RSA key of 2048 bits whose
     * private and public halves match.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming what is wrong with the file's content
     */
    public static BlindRsaPrivateKey read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("file is larger than " + MAX_FILE_BYTES + " bytes");
        }
        return fromPem(Files.readString(file, StandardCharsets.US_ASCII));
    }

    /**
     * Parses the PEM text of a signing key.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static BlindRsaPrivateKey fromPem(String pem) {
        PemObject block;
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            block = reader.readPemObject();
            if (block != null && reader.readPemObject() != null) {
                throw new IllegalArgumentException("more than one PEM block (expected: one " + LABEL + ")");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed PEM (RFC 7468)");
        }
        if (block == null) {
            throw new IllegalArgumentException("no PEM block (expected: -----BEGIN " + LABEL + "-----)");
        }
        switch (block.getType()) {
            case LABEL:
                break;
            case "RSA PRIVATE KEY":
                throw new IllegalArgumentException("PKCS#1 RSA PRIVATE KEY (expected: PKCS#8 " + LABEL
                        + "; convert with openssl pkcs8 -topk8 -nocrypt)");
            case "ENCRYPTED PRIVATE KEY":
                throw new IllegalArgumentException(
                        "encrypted key (expected: an unencrypted " + LABEL + " protected by file permissions)");
            default:
                throw new IllegalArgumentException("PEM block " + block.getType() + " (expected: " + LABEL + ")");
        }
        BlindRsaPrivateKey key;
        try {
            key = BlindRsaPrivateKey.decodePkcs8(block.getContent());
            TokenKey.of(key.publicKey()); // token type 0x0002 needs exactly 2048 bits
        } catch (MalformedTokenException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        checkHalvesMatch(key);
        return key;
    }

    /** Returns {@code key} as PKCS#8 PEM, the form {@link #read} takes. */
    public static String toPem(BlindRsaPrivateKey key) {
        StringWriter out = new StringWriter();
        try (PemWriter pem = new PemWriter(out)) {
            pem.writeObject(new PemObject(LABEL, key.encodePkcs8()));
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return out.toString();
    }

    /**
     * Signs a fixed value once: BlindSign checks its own result (RFC 9474 §4.3 step 4), so a key
     * whose d does not match e fails here, at startup and under {@code --check-config}, rather
     * than on the first client's request.
     */
    private static void checkHalvesMatch(BlindRsaPrivateKey key) {
        byte[] two = new byte[key.publicKey().modulusLength()];
        two[two.length - 1] = 2;
        try {
            BlindRsa.blindSign(key, two);
        } catch (BlindRsaException e) {
            throw new IllegalArgumentException("the private exponent does not match the public key");
        }
    }
}
