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

import java.math.BigInteger;
import org.bouncycastle.crypto.params.RSAKeyParameters;

/**
 * A signer's RSA public key {@code pkS = (n, e)} (<a
 * href="https://www.rfc-editor.org/rfc/rfc9474#section-4">RFC 9474 §4</a>).
 *
 * @param modulus n, odd and at least 3
 * @param publicExponent e, odd and greater than 1
 */
public record BlindRsaPublicKey(BigInteger modulus, BigInteger publicExponent) {

    /**
     * Validates the shape of the key; BouncyCastle checks the modulus further when the key is
     * first used.
     *
     * @throws IllegalArgumentException if n or e is not an odd integer above 1
     */
    public BlindRsaPublicKey {
        if (modulus.compareTo(BigInteger.TWO) <= 0 || !modulus.testBit(0)) {
            throw new IllegalArgumentException("RSA modulus must be odd and at least 3");
        }
        if (publicExponent.compareTo(BigInteger.ONE) <= 0 || !publicExponent.testBit(0)) {
            throw new IllegalArgumentException("RSA public exponent must be odd and above 1");
        }
    }

    /** Returns modulus_len, the length of n in bytes (RFC 9474 §4.2 parameters). */
    public int modulusLength() {
        return (modulus.bitLength() + 7) / 8;
    }

    RSAKeyParameters toParameters() {
        return new RSAKeyParameters(false, modulus, publicExponent);
    }
}
