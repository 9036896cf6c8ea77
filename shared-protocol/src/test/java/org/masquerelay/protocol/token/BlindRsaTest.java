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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;

/**
 * RFC 9474 §4 operations beyond the published vector: the round trip with a fresh key, and each
 * error the RFC defines.
 */
class BlindRsaTest {

    private static final Map<String, String> V =
            VectorFile.read("rfc9474-a3-rsabssa-sha384-pss-deterministic.txt").get(0);

    /** The RFC 9474 Appendix A key, so no test waits for key generation. */
    private static final BlindRsaPrivateKey KEY = new BlindRsaPrivateKey(big("p"), big("q"), big("e"), big("d"));

    private static final BlindRsaPublicKey PUBLIC_KEY = KEY.publicKey();

    private static final byte[] MSG = Hex.bytes(V.get("msg"));

    private static final byte[] SALT = Hex.bytes(V.get("salt"));

    @Test
    void roundTripsWithSystemRandomness() {
        SecureRandom random = new SecureRandom();

        BlindedMessage blinded = BlindRsa.blind(PUBLIC_KEY, MSG, random);
        byte[] blindSig = BlindRsa.blindSign(KEY, blinded.blindedMsg());
        byte[] sig = BlindRsa.finalizeSignature(PUBLIC_KEY, MSG, blindSig, blinded.inv());

        BlindRsa.verify(PUBLIC_KEY, MSG, sig);
        assertThat(sig).hasSize(PUBLIC_KEY.modulusLength());
    }

    @Test
    void blindingHidesTheMessage() {
        SecureRandom random = new SecureRandom();

        BlindedMessage first = BlindRsa.blind(PUBLIC_KEY, MSG, random);
        BlindedMessage second = BlindRsa.blind(PUBLIC_KEY, MSG, random);

        assertThat(first.blindedMsg()).isNotEqualTo(second.blindedMsg());
        assertThat(first.inv()).isNotEqualTo(second.inv());
    }

    @Test
    void generatesA2048BitKeyThatSigns() {
        BlindRsaPrivateKey key = BlindRsa.generateKey(2048, new SecureRandom());

        assertThat(key.modulus().bitLength()).isEqualTo(2048);
        assertThat(key.publicExponent()).isEqualTo(BigInteger.valueOf(65537));
        BlindedMessage blinded = BlindRsa.blind(key.publicKey(), MSG, new SecureRandom());
        byte[] blindSig = BlindRsa.blindSign(key, blinded.blindedMsg());
        BlindRsa.finalizeSignature(key.publicKey(), MSG, blindSig, blinded.inv());
    }

    @Test
    void keyGenerationRejectsShortModuli() {
        assertThatThrownBy(() -> BlindRsa.generateKey(512, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("modulusBits: 512 (expected: at least 1024)");
    }

    @Test
    void redrawsBlindingFactorsOutsideOneToN() {
        BigInteger r = big("inv").modInverse(KEY.modulus());
        byte[] allOnes = new byte[PUBLIC_KEY.modulusLength()];
        Arrays.fill(allOnes, (byte) 0xFF);
        byte[] zero = new byte[PUBLIC_KEY.modulusLength()];
        ScriptedSecureRandom random = new ScriptedSecureRandom(SALT, allOnes, zero, modulusBytes(r));

        BlindedMessage blinded = BlindRsa.blind(PUBLIC_KEY, MSG, random);

        assertThat(blinded.blindedMsg()).isEqualTo(Hex.bytes(V.get("blinded_msg")));
        assertThat(random.exhausted()).isTrue();
    }

    @Test
    void givesUpOnARandomSourceThatNeverFallsBelowN() {
        byte[] allOnes = new byte[PUBLIC_KEY.modulusLength()];
        Arrays.fill(allOnes, (byte) 0xFF);
        SecureRandom stuck = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) 0xFF);
            }
        };

        assertThatThrownBy(() -> BlindRsa.blind(PUBLIC_KEY, MSG, stuck))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no blinding factor in [1, n) after 128 draws");
    }

    @Test
    void blindReportsBlindingErrorWhenRHasNoInverse() {
        // r = p shares a factor with n, so inverse_mod(r, n) fails (RFC 9474 §4.2 step 8).
        ScriptedSecureRandom random = new ScriptedSecureRandom(SALT, modulusBytes(KEY.p()));

        assertFails(
                () -> BlindRsa.blind(PUBLIC_KEY, MSG, random),
                BlindRsaException.Reason.BLINDING_ERROR,
                "blinding error: the blinding factor has no inverse modulo n");
    }

    @Test
    void blindReportsInvalidInputWhenTheEncodedMessageSharesAFactorWithN() {
        // A modulus with the small factor 751 (the smallest prime BouncyCastle does not screen
        // for) lets a search over salts find an encoded message divisible by it.
        BigInteger small = BigInteger.valueOf(751);
        BigInteger large = BigInteger.probablePrime(1024, new Random(9474));
        BlindRsaPublicKey weak = new BlindRsaPublicKey(small.multiply(large), BigInteger.valueOf(65537));
        byte[] salt = saltWhoseEncodingIsDivisibleBy(weak, small);

        assertFails(
                () -> BlindRsa.blind(weak, MSG, new ScriptedSecureRandom(salt)),
                BlindRsaException.Reason.INVALID_INPUT,
                "invalid input: the encoded message is not co-prime with the modulus");
    }

    @Test
    void blindReportsEncodingErrorForAModulusTooShortForThePssEncoding() {
        Random random = new Random(8017);
        BlindRsaPublicKey tiny = new BlindRsaPublicKey(
                BigInteger.probablePrime(256, random).multiply(BigInteger.probablePrime(256, random)),
                BigInteger.valueOf(65537));

        assertFails(
                () -> BlindRsa.blind(tiny, MSG, new SecureRandom()),
                BlindRsaException.Reason.ENCODING_ERROR,
                "encoding error: a "
                        + tiny.modulus().bitLength()
                        + "-bit modulus is too short for SHA-384 with a 48-byte salt");
    }

    @Test
    void blindSignRejectsAMessageRepresentativeNotBelowN() {
        byte[] n = modulusBytes(KEY.modulus());

        assertFails(
                () -> BlindRsa.blindSign(KEY, n),
                BlindRsaException.Reason.MESSAGE_REPRESENTATIVE_OUT_OF_RANGE,
                "message representative out of range: blinded_msg is not below the modulus");
    }

    @Test
    void blindSignRejectsABlindedMessageOfTheWrongLength() {
        byte[] blinded = Hex.bytes(V.get("blinded_msg"));

        for (byte[] wrong : new byte[][] {
            Arrays.copyOf(blinded, blinded.length - 1), Arrays.copyOf(blinded, blinded.length + 1), new byte[0]
        }) {
            assertFails(
                    () -> BlindRsa.blindSign(KEY, wrong),
                    BlindRsaException.Reason.UNEXPECTED_INPUT_SIZE,
                    "unexpected input size: blinded_msg length " + wrong.length + " (expected: 512)");
        }
    }

    @Test
    void blindSignReportsSigningFailureForAFaultyKey() {
        // d + 2 no longer inverts e. BouncyCastle's own CRT check sees it before the RSAVP1
        // check of RFC 9474 §4.3 step 4 does; both are a "signing failure".
        BlindRsaPrivateKey faulty = new BlindRsaPrivateKey(
                KEY.p(), KEY.q(), KEY.publicExponent(), KEY.privateExponent().add(BigInteger.TWO));

        assertFails(
                () -> BlindRsa.blindSign(faulty, Hex.bytes(V.get("blinded_msg"))),
                BlindRsaException.Reason.SIGNING_FAILURE,
                "signing failure: the private-key operation failed BouncyCastle's fault check");
    }

    @Test
    void finalizeRejectsABlindSignatureOfTheWrongLength() {
        byte[] blindSig = Hex.bytes(V.get("blind_sig"));
        byte[] shorter = Arrays.copyOfRange(blindSig, 1, blindSig.length);

        assertFails(
                () -> BlindRsa.finalizeSignature(PUBLIC_KEY, MSG, shorter, big("inv")),
                BlindRsaException.Reason.UNEXPECTED_INPUT_SIZE,
                "unexpected input size: blind_sig length 511 (expected: 512)");
    }

    @Test
    void finalizeRejectsATamperedBlindSignature() {
        byte[] blindSig = Hex.bytes(V.get("blind_sig"));
        blindSig[100] ^= 0x01;

        assertInvalidSignature(() -> BlindRsa.finalizeSignature(PUBLIC_KEY, MSG, blindSig, big("inv")));
    }

    @Test
    void finalizeRejectsTheWrongInverse() {
        BigInteger wrongInv = big("inv").add(BigInteger.ONE);

        assertInvalidSignature(
                () -> BlindRsa.finalizeSignature(PUBLIC_KEY, MSG, Hex.bytes(V.get("blind_sig")), wrongInv));
    }

    @Test
    void verifyRejectsEveryFlippedBitOfTheSignature() {
        BitFlips.of(Hex.bytes(V.get("sig")))
                .forEach(sig -> assertInvalidSignature(() -> BlindRsa.verify(PUBLIC_KEY, MSG, sig)));
    }

    @Test
    void verifyRejectsEveryFlippedBitOfTheMessage() {
        byte[] sig = Hex.bytes(V.get("sig"));
        BitFlips.of(MSG).forEach(msg -> assertInvalidSignature(() -> BlindRsa.verify(PUBLIC_KEY, msg, sig)));
    }

    @Test
    void verifyRejectsSignaturesOfTheWrongLength() {
        // RFC 8017 §8.1.2 step 1; PSSSigner would zero-pad a short one itself.
        byte[] sig = Hex.bytes(V.get("sig"));
        byte[] withExtraZero = ByteBuffer.allocate(sig.length + 1).put(1, sig).array();

        assertThatThrownBy(() -> BlindRsa.verify(PUBLIC_KEY, MSG, withExtraZero))
                .isInstanceOf(BlindRsaException.class)
                .hasMessage("invalid signature: signature length 513 (expected: 512)");
        assertThatThrownBy(() -> BlindRsa.verify(PUBLIC_KEY, MSG, new byte[0]))
                .isInstanceOf(BlindRsaException.class)
                .hasMessage("invalid signature: signature length 0 (expected: 512)");
    }

    @Test
    void verifyRejectsAnotherKey() {
        BlindRsaPublicKey other = new BlindRsaPublicKey(KEY.modulus(), BigInteger.valueOf(3));

        assertInvalidSignature(() -> BlindRsa.verify(other, MSG, Hex.bytes(V.get("sig"))));
    }

    @Test
    void pkcs8RoundTrips() {
        byte[] der = KEY.encodePkcs8();

        assertThat(BlindRsaPrivateKey.decodePkcs8(der).publicKey()).isEqualTo(PUBLIC_KEY);
        assertThat(BlindRsaPrivateKey.decodePkcs8(der).encodePkcs8()).isEqualTo(der);
    }

    @Test
    void pkcs8IsMalformed() {
        byte[] der = KEY.encodePkcs8();

        assertThatThrownBy(() -> BlindRsaPrivateKey.decodePkcs8(Arrays.copyOf(der, der.length - 1)))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("private key is not a DER PKCS#8 PrivateKeyInfo");
        assertThatThrownBy(() -> BlindRsaPrivateKey.decodePkcs8(new byte[] {0x30, 0x00}))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("private key is not a DER PKCS#8 PrivateKeyInfo");
    }

    @Test
    void pkcs8OfAnotherAlgorithmIsRejected() throws Exception {
        byte[] ed25519 = PrivateKeyInfoFactory.createPrivateKeyInfo(new Ed25519PrivateKeyParameters(new SecureRandom()))
                .getEncoded();

        assertThatThrownBy(() -> BlindRsaPrivateKey.decodePkcs8(ed25519))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("PKCS#8 private key is not an RSA key with CRT values");
    }

    @Test
    void privateKeyToStringHidesTheKey() {
        assertThat(KEY.toString()).isEqualTo("BlindRsaPrivateKey[modulusBits=4096]");
        assertThat(new BlindedMessage(new byte[3], BigInteger.TEN).toString())
                .isEqualTo("BlindedMessage[blindedMsg=3 bytes]");
    }

    @Test
    void keysRejectImpossibleValues() {
        BigInteger e = BigInteger.valueOf(65537);
        assertThatThrownBy(() -> new BlindRsaPublicKey(BigInteger.valueOf(1024), e))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RSA modulus must be odd and at least 3");
        assertThatThrownBy(() -> new BlindRsaPublicKey(KEY.modulus(), BigInteger.TWO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RSA public exponent must be odd and above 1");
        assertThatThrownBy(() -> new BlindRsaPrivateKey(KEY.p(), KEY.p(), e, KEY.privateExponent()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RSA primes must differ");
        assertThatThrownBy(() -> new BlindRsaPrivateKey(KEY.p(), KEY.q(), e, BigInteger.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RSA private exponent must be positive");
    }

    private static void assertInvalidSignature(ThrowingCallable call) {
        assertFails(
                call,
                BlindRsaException.Reason.INVALID_SIGNATURE,
                "invalid signature: RSASSA-PSS-VERIFY rejected the signature");
    }

    private static void assertFails(ThrowingCallable call, BlindRsaException.Reason reason, String message) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        BlindRsaException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessage(message);
    }

    private static byte[] saltWhoseEncodingIsDivisibleBy(BlindRsaPublicKey key, BigInteger factor) {
        for (int i = 0; i < 100_000; i++) {
            byte[] salt = ByteBuffer.allocate(BlindRsa.SALT_LENGTH).putInt(0, i).array();
            byte[] encoded = BlindRsa.encode(key, MSG, new ScriptedSecureRandom(salt));
            if (new BigInteger(1, encoded).mod(factor).signum() == 0) {
                return salt;
            }
        }
        throw new AssertionError("no salt found");
    }

    private static byte[] modulusBytes(BigInteger value) {
        return BigIntegers.asUnsignedByteArray(PUBLIC_KEY.modulusLength(), value);
    }

    private static BigInteger big(String field) {
        return new BigInteger(V.get(field), 16);
    }
}
