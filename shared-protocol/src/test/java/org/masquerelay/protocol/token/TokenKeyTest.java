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

import io.netty.buffer.ByteBufUtil;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;

/** The RFC 9578 §6.5 token key encoding and token_key_id. */
class TokenKeyTest {

    private static final Map<String, String> V =
            VectorFile.read("rfc9578-a2-blind-rsa-2048.txt").get(0);

    private static final byte[] PK_S = Hex.bytes(V.get("pkS"));

    private static final TokenKey KEY = TokenKey.decode(PK_S);

    @Test
    void encodingMatchesTheRfcLayout() {
        // RFC 9578 §6.5: SEQUENCE { SEQUENCE { rsassaPss, RSASSA-PSS-params }, BIT STRING }
        assertThat(ByteBufUtil.hexDump(PK_S, 0, 72))
                .isEqualTo(
                        "30820152" // SubjectPublicKeyInfo, 338 bytes
                                + "303d" // AlgorithmIdentifier
                                + "06092a864886f70d01010a" // id-RSASSA-PSS
                                + "3030" // RSASSA-PSS-params
                                + "a00d300b0609608648016503040202" // [0] hashAlgorithm sha384
                                + "a11a301806092a864886f70d010108" // [1] maskGenAlgorithm mgf1
                                + "300b0609608648016503040202" // sha384
                                + "a203020130" // [2] saltLength 48
                                + "0382010f00"); // BIT STRING, no unused bits
        assertThat(KEY.encode()).isEqualTo(PK_S);
    }

    @Test
    void tokenKeyIdIsTheSha256OfTheEncoding() {
        assertThat(KEY.tokenKeyId()).isEqualTo(TokenKey.sha256(PK_S)).hasSize(32);
        assertThat(KEY.truncatedTokenKeyId()).isEqualTo(KEY.tokenKeyId()[31] & 0xFF);
    }

    @Test
    void rsaEncryptionKeyIsRejected() throws Exception {
        byte[] plain = new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), rsaPublicKey())
                .getEncoded();

        assertThatThrownBy(() -> TokenKey.decode(plain))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("token key algorithm is not id-RSASSA-PSS (RFC 9578 §6.5)");
    }

    @Test
    void otherPssParametersAreRejected() throws Exception {
        AlgorithmIdentifier sha384 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384);
        AlgorithmIdentifier sha384WithNull = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384, DERNull.INSTANCE);
        for (RSASSAPSSparams params : new RSASSAPSSparams[] {
            pss(sha384, 32), // salt length of SHA-256
            pss(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256), 48),
            pss(sha384WithNull, 48), // equivalent, but another token_key_id
            new RSASSAPSSparams() // all defaults: SHA-1
        }) {
            byte[] spki = new SubjectPublicKeyInfo(
                            new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, params), rsaPublicKey())
                    .getEncoded();

            assertThatThrownBy(() -> TokenKey.decode(spki))
                    .isInstanceOf(MalformedTokenException.class)
                    .hasMessage("token key is not the RFC 9578 §6.5 encoding (RSASSA-PSS-params with"
                            + " SHA-384, MGF1-SHA-384, saltLength 48, in DER)");
        }
    }

    @Test
    void truncatedOrExtendedEncodingIsMalformed() {
        for (byte[] bad : new byte[][] {
            Arrays.copyOf(PK_S, PK_S.length - 1),
            Arrays.copyOf(PK_S, PK_S.length + 1),
            Arrays.copyOf(PK_S, 10),
            new byte[0],
            new byte[] {0x04, 0x00}
        }) {
            assertThatThrownBy(() -> TokenKey.decode(bad))
                    .isInstanceOf(MalformedTokenException.class)
                    .hasMessage("token key is not a DER RSA SubjectPublicKeyInfo");
        }
    }

    @Test
    void keysOfOtherSizesAreRejected() {
        Map<String, String> rfc9474 = VectorFile.read("rfc9474-a3-rsabssa-sha384-pss-deterministic.txt")
                .get(0);
        BlindRsaPublicKey large =
                new BlindRsaPublicKey(new BigInteger(rfc9474.get("n"), 16), BigInteger.valueOf(65537));

        assertThatThrownBy(() -> TokenKey.of(large))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("token key modulus has 4096 bits (expected: 2048)");
    }

    @Test
    void evenModulusIsRejected() throws Exception {
        byte[] spki = new SubjectPublicKeyInfo(
                        KEY_ALGORITHM,
                        new RSAPublicKey(
                                KEY.publicKey().modulus().add(BigInteger.ONE),
                                KEY.publicKey().publicExponent()))
                .getEncoded();

        assertThatThrownBy(() -> TokenKey.decode(spki))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("token key is not a usable RSA key: RSA modulus must be odd and at least 3");
    }

    @Test
    void modulusWithASmallFactorIsRejected() throws Exception {
        // 3 · (a 2047-bit prime): the right size, but BouncyCastle's checks refuse it.
        BigInteger prime = BigInteger.probablePrime(2047, new Random(9578));
        byte[] spki = new SubjectPublicKeyInfo(
                        KEY_ALGORITHM,
                        new RSAPublicKey(BigInteger.valueOf(3).multiply(prime), BigInteger.valueOf(65537)))
                .getEncoded();

        assertThatThrownBy(() -> TokenKey.decode(spki))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("token key is not a usable RSA key: RSA modulus has a small prime factor");
    }

    private static final AlgorithmIdentifier KEY_ALGORITHM =
            SubjectPublicKeyInfo.getInstance(PK_S).getAlgorithm();

    private static RSASSAPSSparams pss(AlgorithmIdentifier hash, int saltLength) {
        return new RSASSAPSSparams(
                hash,
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, hash),
                new ASN1Integer(saltLength),
                RSASSAPSSparams.DEFAULT_TRAILER_FIELD);
    }

    private static RSAPublicKey rsaPublicKey() {
        return new RSAPublicKey(KEY.publicKey().modulus(), KEY.publicKey().publicExponent());
    }
}
