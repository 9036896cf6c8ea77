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
import java.io.UncheckedIOException;
import java.math.BigInteger;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;

/**
 * A signer's RSA private key {@code skS} (<a
 * href="https://www.rfc-editor.org/rfc/rfc9474#section-4">RFC 9474 §4</a>), kept as the two
 * primes and the two exponents; the CRT values are derived from them when signing.
 *
 * <p>The constructor checks shape only. That d matches e is not checked here: a key where it does
 * not is exactly the fault that BlindSign's own check (RFC 9474 §4.3 step 4) reports as "signing
 * failure", so no signature from such a key leaves {@link BlindRsa#blindSign}.
 *
 * <p>{@link #toString()} shows the modulus size only, so a key never reaches a log.
 *
 * @param p the first prime factor of n
 * @param q the second prime factor of n, different from p
 * @param publicExponent e
 * @param privateExponent d
 */
public record BlindRsaPrivateKey(BigInteger p, BigInteger q, BigInteger publicExponent, BigInteger privateExponent) {

    /**
     * Validates the shape of the key.
     *
     * @throws IllegalArgumentException if a value is not positive or p equals q
     */
    public BlindRsaPrivateKey {
        if (p.compareTo(BigInteger.ONE) <= 0 || q.compareTo(BigInteger.ONE) <= 0) {
            throw new IllegalArgumentException("RSA primes must be greater than 1");
        }
        if (p.equals(q)) {
            throw new IllegalArgumentException("RSA primes must differ");
        }
        if (privateExponent.signum() <= 0) {
            throw new IllegalArgumentException("RSA private exponent must be positive");
        }
        new BlindRsaPublicKey(p.multiply(q), publicExponent); // checks n and e
    }

    /**
     * Decodes a DER PKCS#8 PrivateKeyInfo (<a href="https://www.rfc-editor.org/rfc/rfc5208">RFC
     * 5208</a>) holding an RSA key, the form of skS in the RFC 9578 Appendix A.2 vectors. PEM
     * armour must already be removed.
     *
     * @throws MalformedTokenException if {@code der} is not a PKCS#8 RSA private key with CRT
     *     values
     */
    public static BlindRsaPrivateKey decodePkcs8(byte[] der) {
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(der);
        } catch (IOException | RuntimeException e) {
            throw new MalformedTokenException("private key is not a DER PKCS#8 PrivateKeyInfo");
        }
        if (!(key instanceof RSAPrivateCrtKeyParameters crt) || crt.getPublicExponent() == null) {
            throw new MalformedTokenException("PKCS#8 private key is not an RSA key with CRT values");
        }
        try {
            return new BlindRsaPrivateKey(crt.getP(), crt.getQ(), crt.getPublicExponent(), crt.getExponent());
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("PKCS#8 RSA private key is invalid: " + e.getMessage());
        }
    }

    /** Returns the key as a DER PKCS#8 PrivateKeyInfo with the rsaEncryption algorithm. */
    public byte[] encodePkcs8() {
        try {
            return PrivateKeyInfoFactory.createPrivateKeyInfo(toParameters()).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException("DER encoding of an RSA key failed", e);
        }
    }

    /** Returns n = p · q. */
    public BigInteger modulus() {
        return p.multiply(q);
    }

    /** Returns the matching public key (n, e). */
    public BlindRsaPublicKey publicKey() {
        return new BlindRsaPublicKey(modulus(), publicExponent);
    }

    RSAPrivateCrtKeyParameters toParameters() {
        BigInteger one = BigInteger.ONE;
        return new RSAPrivateCrtKeyParameters(
                modulus(),
                publicExponent,
                privateExponent,
                p,
                q,
                privateExponent.mod(p.subtract(one)),
                privateExponent.mod(q.subtract(one)),
                q.modInverse(p));
    }

    @Override
    public String toString() {
        return "BlindRsaPrivateKey[modulusBits=" + modulus().bitLength() + "]";
    }
}
