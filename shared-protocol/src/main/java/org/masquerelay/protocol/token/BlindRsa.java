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
import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricBlockCipher;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.engines.RSABlindingEngine;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSABlindingParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.util.BigIntegers;

/**
 * RSA blind signatures, variant RSABSSA-SHA384-PSS-Deterministic (<a
 * href="https://www.rfc-editor.org/rfc/rfc9474#section-5">RFC 9474 §5</a>): SHA-384, MGF1 with
 * SHA-384, a 48-byte salt and the identity preparation function. This is the variant that token
 * type 0x0002 uses (RFC 9578 §6).
 *
 * <p>Each operation follows its RFC 9474 §4 steps in order, and the step numbers appear in the
 * code. BouncyCastle does the primitives: {@link PSSSigner} encodes and verifies EMSA-PSS, {@link
 * RSABlindingEngine} computes {@code m · r^e mod n}, and {@link RSABlindedEngine} applies the
 * private key with its own side-channel blinding (RFC 9474 §7.1).
 *
 * <p>Randomness comes only from the {@link SecureRandom} passed in. {@link #blind} draws, in this
 * order, the 48-byte PSS salt and then modulus_len bytes per attempt at the blinding factor r; a
 * test can therefore replay a published vector byte for byte.
 *
 * <p>EMSA-PSS-ENCODE's "message too long" error (RFC 8017 §9.1.1 step 1) cannot arise: SHA-384
 * takes up to 2^125 bytes, far more than a Java array holds. So it has no {@link
 * BlindRsaException.Reason}.
 */
public final class BlindRsa {

    /** sLen of RSABSSA-SHA384-PSS-Deterministic, in bytes (RFC 9474 §5). */
    public static final int SALT_LENGTH = 48;

    private static final int HASH_LENGTH = 48; // SHA-384 output, hLen in RFC 8017 §9.1.1
    private static final BigInteger F4 = BigInteger.valueOf(65537);
    // BouncyCastle turns this into 4 Miller-Rabin rounds for 1024-bit primes, as FIPS 186-5
    // Table B.1 asks of a 2048-bit key.
    private static final int PRIME_CERTAINTY = 128;
    private static final int MAX_BLIND_ATTEMPTS = 128;

    private BlindRsa() {}

    /**
     * KeyGen: an RSA key with e = 65537 from BouncyCastle's generator. RFC 9474 leaves key
     * generation to FIPS 186; RFC 9578 §6.5 asks for secure generation and token type 0x0002 for
     * 2048 bits.
     *
     * @param modulusBits the size of n, at least 1024
     * @param random the source of the primes
     * @throws IllegalArgumentException if {@code modulusBits} is below 1024
     */
    public static BlindRsaPrivateKey generateKey(int modulusBits, SecureRandom random) {
        if (modulusBits < 1024) {
            throw new IllegalArgumentException("modulusBits: " + modulusBits + " (expected: at least 1024)");
        }
        RSAKeyPairGenerator generator = new RSAKeyPairGenerator();
        generator.init(new RSAKeyGenerationParameters(F4, random, modulusBits, PRIME_CERTAINTY));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        RSAPrivateCrtKeyParameters key = (RSAPrivateCrtKeyParameters) pair.getPrivate();
        return new BlindRsaPrivateKey(key.getP(), key.getQ(), key.getPublicExponent(), key.getExponent());
    }

    /**
     * PrepareIdentity (RFC 9474 §4.1): the message is signed as it is.
     *
     * @return a copy of {@code msg}
     */
    public static byte[] prepareIdentity(byte[] msg) {
        return msg.clone();
    }

    /**
     * Blind (RFC 9474 §4.2): encodes {@code msg} with EMSA-PSS and blinds it with a fresh r.
     *
     * @param publicKey the signer's key
     * @param msg the prepared message
     * @param random the source of the salt, then of r
     * @throws BlindRsaException with {@code ENCODING_ERROR} if n is too short for the encoding,
     *     {@code INVALID_INPUT} if the encoded message shares a factor with n, or {@code
     *     BLINDING_ERROR} if r has no inverse mod n
     */
    public static BlindedMessage blind(BlindRsaPublicKey publicKey, byte[] msg, SecureRandom random) {
        // 1-2. encoded_msg = EMSA-PSS-ENCODE(msg, bit_len(n) - 1); errors propagate.
        byte[] encodedMsg = encode(publicKey, msg, random);
        BigInteger n = publicKey.modulus();
        // 3. m = bytes_to_int(encoded_msg)
        BigInteger m = new BigInteger(1, encodedMsg);
        // 4-5. The message must be co-prime with n.
        if (!m.gcd(n).equals(BigInteger.ONE)) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.INVALID_INPUT, "the encoded message is not co-prime with the modulus");
        }
        // 6. r = random_integer_uniform(1, n)
        BigInteger r = randomIntegerUniform(n, random);
        // 7-8. inv = inverse_mod(r, n)
        BigInteger inv;
        try {
            inv = r.modInverse(n);
        } catch (ArithmeticException e) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.BLINDING_ERROR, "the blinding factor has no inverse modulo n");
        }
        // 9-10. x = RSAVP1(pkS, r); z = m * x mod n
        RSABlindingEngine blinding = new RSABlindingEngine();
        blinding.init(true, new RSABlindingParameters(publicKey.toParameters(), r));
        byte[] z = blinding.processBlock(encodedMsg, 0, encodedMsg.length);
        // 11-12. blinded_msg = int_to_bytes(z, modulus_len)
        return new BlindedMessage(i2osp(new BigInteger(1, z), publicKey.modulusLength()), inv);
    }

    /**
     * BlindSign (RFC 9474 §4.3): applies the private key to a blinded message and checks the
     * result with the public key before releasing it.
     *
     * <p>BouncyCastle's {@link RSABlindedEngine} blinds the private-key operation against timing
     * attacks with randomness of its own; that randomness does not change the output. It also
     * checks its CRT result, so a faulty key usually fails there first; either way the error is
     * "signing failure".
     *
     * @param privateKey the signer's key
     * @param blindedMsg the client's blinded message, modulus_len bytes
     * @return blind_sig, modulus_len bytes
     * @throws BlindRsaException with {@code UNEXPECTED_INPUT_SIZE} if {@code blindedMsg} is not
     *     modulus_len bytes (a length the RFC implies but does not check here), {@code
     *     MESSAGE_REPRESENTATIVE_OUT_OF_RANGE} if it is not below n, or {@code SIGNING_FAILURE} if
     *     the private-key operation did not invert the public one
     */
    public static byte[] blindSign(BlindRsaPrivateKey privateKey, byte[] blindedMsg) {
        BlindRsaPublicKey publicKey = privateKey.publicKey();
        int modulusLength = publicKey.modulusLength();
        checkLength("blinded_msg", blindedMsg, modulusLength);
        // 1. m = bytes_to_int(blinded_msg)
        BigInteger m = new BigInteger(1, blindedMsg);
        // 2. s = RSASP1(skS, m); RSASP1 step 1 rejects m >= n.
        if (m.compareTo(publicKey.modulus()) >= 0) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.MESSAGE_REPRESENTATIVE_OUT_OF_RANGE,
                    "blinded_msg is not below the modulus");
        }
        RSABlindedEngine rsa = new RSABlindedEngine();
        rsa.init(true, privateKey.toParameters());
        BigInteger s;
        try {
            s = new BigInteger(1, rsa.processBlock(blindedMsg, 0, blindedMsg.length));
        } catch (IllegalStateException e) {
            // BouncyCastle checks its CRT result too, and reports a fault this way.
            throw new BlindRsaException(
                    BlindRsaException.Reason.SIGNING_FAILURE,
                    "the private-key operation failed BouncyCastle's fault check");
        }
        // 3-4. m' = RSAVP1(pkS, s); a mismatch means a faulty key or computation.
        BigInteger mPrime = s.modPow(publicKey.publicExponent(), publicKey.modulus());
        if (!mPrime.equals(m)) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.SIGNING_FAILURE, "RSAVP1 of the signature does not match blinded_msg");
        }
        // 5-6. blind_sig = int_to_bytes(s, modulus_len)
        return i2osp(s, modulusLength);
    }

    /**
     * Finalize (RFC 9474 §4.4): unblinds the signer's response and verifies the result.
     *
     * @param publicKey the signer's key
     * @param msg the prepared message that was blinded
     * @param blindSig the signer's response, modulus_len bytes
     * @param inv the inverse from {@link #blind}
     * @return sig, modulus_len bytes, an RSASSA-PSS signature over {@code msg}
     * @throws BlindRsaException with {@code UNEXPECTED_INPUT_SIZE} if {@code blindSig} is not
     *     modulus_len bytes, or {@code INVALID_SIGNATURE} if the result does not verify
     */
    public static byte[] finalizeSignature(BlindRsaPublicKey publicKey, byte[] msg, byte[] blindSig, BigInteger inv) {
        int modulusLength = publicKey.modulusLength();
        // 1. len(blind_sig) must be modulus_len.
        checkLength("blind_sig", blindSig, modulusLength);
        // 2. z = bytes_to_int(blind_sig)
        BigInteger z = new BigInteger(1, blindSig);
        // 3. s = z * inv mod n
        BigInteger s = z.multiply(inv).mod(publicKey.modulus());
        // 4. sig = int_to_bytes(s, modulus_len)
        byte[] sig = i2osp(s, modulusLength);
        // 5-6. RSASSA-PSS-VERIFY(pkS, msg, sig)
        verify(publicKey, msg, sig);
        return sig;
    }

    /**
     * Verification (RFC 9474 §4.5): RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with SHA-384, MGF1 with
     * SHA-384 and a 48-byte salt.
     *
     * @throws BlindRsaException with {@code INVALID_SIGNATURE} if {@code sig} is not a valid
     *     signature over {@code msg}, including when it is not modulus_len bytes
     */
    public static void verify(BlindRsaPublicKey publicKey, byte[] msg, byte[] sig) {
        // RFC 8017 §8.1.2 step 1; BouncyCastle would accept a shorter signature.
        if (sig.length != publicKey.modulusLength()) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.INVALID_SIGNATURE,
                    "signature length " + sig.length + " (expected: " + publicKey.modulusLength() + ")");
        }
        PSSSigner verifier = new PSSSigner(new RSAEngine(), new SHA384Digest(), new SHA384Digest(), SALT_LENGTH);
        verifier.init(false, publicKey.toParameters());
        verifier.update(msg, 0, msg.length);
        if (!verifier.verifySignature(sig)) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.INVALID_SIGNATURE, "RSASSA-PSS-VERIFY rejected the signature");
        }
    }

    /**
     * EMSA-PSS-ENCODE(msg, bit_len(n) - 1) with SHA-384, MGF1-SHA-384 and a salt drawn from {@code
     * random}: RFC 9474 §4.2 step 1, exposed so that tests can check encoded_msg.
     *
     * <p>BouncyCastle keeps its encoder inside {@link PSSSigner}, which hands the encoded block to
     * an RSA engine. An engine that returns its input unchanged lets the encoded message out, so
     * Blind can check it (step 4) before blinding it.
     */
    static byte[] encode(BlindRsaPublicKey publicKey, byte[] msg, SecureRandom random) {
        int emBits = publicKey.modulus().bitLength() - 1;
        int emLen = (emBits + 7) / 8;
        // RFC 8017 §9.1.1 step 3: emLen < hLen + sLen + 2 is an "encoding error".
        if (emLen < HASH_LENGTH + SALT_LENGTH + 2) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.ENCODING_ERROR,
                    "a "
                            + publicKey.modulus().bitLength()
                            + "-bit modulus is too short for SHA-384 with a 48-byte salt");
        }
        PSSSigner encoder = new PSSSigner(new EncodedMessageTap(), new SHA384Digest(), new SHA384Digest(), SALT_LENGTH);
        encoder.init(true, new ParametersWithRandom(publicKey.toParameters(), random));
        encoder.update(msg, 0, msg.length);
        try {
            return encoder.generateSignature();
        } catch (CryptoException e) {
            throw new IllegalStateException("EMSA-PSS-ENCODE failed", e);
        }
    }

    /**
     * random_integer_uniform(1, n) by rejection sampling (RFC 9474 §3): draws modulus_len bytes,
     * clears the bits above bit_len(n), and keeps the first value in [1, n).
     */
    private static BigInteger randomIntegerUniform(BigInteger n, SecureRandom random) {
        int bits = n.bitLength();
        byte[] buf = new byte[(bits + 7) / 8];
        int excessBits = buf.length * 8 - bits;
        for (int attempt = 0; attempt < MAX_BLIND_ATTEMPTS; attempt++) {
            random.nextBytes(buf);
            buf[0] &= (byte) (0xFF >>> excessBits);
            BigInteger r = new BigInteger(1, buf);
            if (r.signum() > 0 && r.compareTo(n) < 0) {
                return r;
            }
        }
        // Each draw succeeds with probability above 1/2, so this means a broken random source.
        throw new IllegalStateException("no blinding factor in [1, n) after " + MAX_BLIND_ATTEMPTS + " draws");
    }

    private static void checkLength(String field, byte[] value, int modulusLength) {
        if (value.length != modulusLength) {
            throw new BlindRsaException(
                    BlindRsaException.Reason.UNEXPECTED_INPUT_SIZE,
                    field + " length " + value.length + " (expected: " + modulusLength + ")");
        }
    }

    /** int_to_bytes, I2OSP of RFC 8017 §4.1. */
    private static byte[] i2osp(BigInteger x, int length) {
        return BigIntegers.asUnsignedByteArray(length, x);
    }

    /**
     * The "RSA engine" that {@link #encode} gives {@link PSSSigner}: it returns the encoded
     * message instead of exponentiating it.
     */
    private static final class EncodedMessageTap implements AsymmetricBlockCipher {
        private int blockSize;

        @Override
        public void init(boolean forEncryption, CipherParameters params) {
            // PSSSigner passes the bare key on; the block size is all this engine takes from it.
            blockSize = (((RSAKeyParameters) params).getModulus().bitLength() + 7) / 8;
        }

        @Override
        public int getInputBlockSize() {
            return blockSize;
        }

        @Override
        public int getOutputBlockSize() {
            return blockSize;
        }

        @Override
        public byte[] processBlock(byte[] in, int inOff, int len) {
            byte[] out = new byte[len];
            System.arraycopy(in, inOff, out, 0, len);
            return out;
        }
    }
}
