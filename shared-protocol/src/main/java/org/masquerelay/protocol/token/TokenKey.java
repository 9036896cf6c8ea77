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
package org.masquerelay.protocol.token;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * An Issuer Public Key for token type 0x0002 and its identifier (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.5">RFC 9578 §6.5</a>).
 *
 * <p>On the wire ("token-key" in a challenge or in the issuer directory) the key is a DER
 * SubjectPublicKeyInfo whose algorithm is id-RSASSA-PSS with explicit RSASSA-PSS-params: hash
 * SHA-384, MGF1 with SHA-384, salt length 48, trailer field left at its default. The hash
 * AlgorithmIdentifiers carry no parameters, as in the RFC's example. {@code token_key_id} is the
 * SHA-256 of exactly these bytes, so {@link #decode} accepts only this one encoding: any other,
 * even an equivalent one, would give the key a second identifier.
 *
 * @param publicKey the RSA key, whose modulus is 2048 bits long
 */
public record TokenKey(BlindRsaPublicKey publicKey) {

    /** Modulus size of token type 0x0002, "Blind RSA (2048-bit)" (RFC 9578 §8.2.2). */
    public static final int MODULUS_BITS = 2048;

    private static final AlgorithmIdentifier SHA384 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384);
    private static final AlgorithmIdentifier RSASSA_PSS_SHA384 = new AlgorithmIdentifier(
            PKCSObjectIdentifiers.id_RSASSA_PSS,
            new RSASSAPSSparams(
                    SHA384,
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, SHA384),
                    new ASN1Integer(BlindRsa.SALT_LENGTH),
                    RSASSAPSSparams.DEFAULT_TRAILER_FIELD));

    /**
     * Checks the key size.
     *
     * @throws MalformedTokenException if the modulus is not 2048 bits long
     */
    public TokenKey {
        int bits = publicKey.modulus().bitLength();
        if (bits != MODULUS_BITS) {
            throw new MalformedTokenException(
                    "token key modulus has " + bits + " bits (expected: " + MODULUS_BITS + ")");
        }
    }

    /**
     * Decodes the RFC 9578 §6.5 SubjectPublicKeyInfo.
     *
     * @throws MalformedTokenException if {@code spki} is not that encoding of a 2048-bit key
     */
    public static TokenKey decode(byte[] spki) {
        SubjectPublicKeyInfo info;
        RSAPublicKey rsa;
        try {
            info = SubjectPublicKeyInfo.getInstance(spki);
            rsa = RSAPublicKey.getInstance(info.parsePublicKey());
        } catch (IOException | RuntimeException e) {
            throw new MalformedTokenException("token key is not a DER RSA SubjectPublicKeyInfo");
        }
        if (!PKCSObjectIdentifiers.id_RSASSA_PSS.equals(info.getAlgorithm().getAlgorithm())) {
            throw new MalformedTokenException("token key algorithm is not id-RSASSA-PSS (RFC 9578 §6.5)");
        }
        TokenKey tokenKey;
        try {
            BlindRsaPublicKey key = new BlindRsaPublicKey(rsa.getModulus(), rsa.getPublicExponent());
            key.toParameters(); // BouncyCastle's modulus checks: small factors, primality
            tokenKey = new TokenKey(key);
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("token key is not a usable RSA key: " + e.getMessage());
        }
        if (!Arrays.equals(tokenKey.encode(), spki)) {
            throw new MalformedTokenException(
                    "token key is not the RFC 9578 §6.5 encoding (RSASSA-PSS-params with SHA-384,"
                            + " MGF1-SHA-384, saltLength 48, in DER)");
        }
        return tokenKey;
    }

    /** Creates a key, checking its size like the constructor. */
    public static TokenKey of(BlindRsaPublicKey publicKey) {
        return new TokenKey(publicKey);
    }

    /** Returns the DER SubjectPublicKeyInfo, the "token-key" value of RFC 9577 and RFC 9578. */
    public byte[] encode() {
        BigInteger n = publicKey.modulus();
        try {
            return new SubjectPublicKeyInfo(RSASSA_PSS_SHA384, new RSAPublicKey(n, publicKey.publicExponent()))
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding of a public key failed", e);
        }
    }

    /** Returns token_key_id = SHA-256(encoded key), 32 bytes (RFC 9578 §6.5). */
    public byte[] tokenKeyId() {
        return sha256(encode());
    }

    /**
     * Returns truncated_token_key_id, the last byte of token_key_id (RFC 9578 §6.1), as 0-255.
     */
    public int truncatedTokenKeyId() {
        byte[] id = tokenKeyId();
        return id[id.length - 1] & 0xFF;
    }

    static byte[] sha256(byte[] input) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(input, 0, input.length);
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return out;
    }
}
