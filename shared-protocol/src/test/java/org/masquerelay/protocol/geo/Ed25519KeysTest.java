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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.masquerelay.protocol.Hex;

/** The JDK's Ed25519 against RFC 8032 §7.1, PEM per RFC 7468 / RFC 8410, and the key-id convention. */
class Ed25519KeysTest {

    /** TEST 1's key as {@code openssl pkey} writes it (RFC 8410 §7 PKCS#8 v1). */
    private static final String TEST1_PRIVATE_PEM = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
            -----END PRIVATE KEY-----
            """;

    /** TEST 1's public key as {@code openssl pkey -pubout} writes it (RFC 8410 §4). */
    private static final String TEST1_PUBLIC_PEM = """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
            -----END PUBLIC KEY-----
            """;

    @ParameterizedTest(name = "RFC 8032 §7.1 {0}")
    @CsvSource({
        // name , secret key              , public key              , message              , signature
        "TEST 1 , " + Rfc8032.TEST1_SECRET + "," + Rfc8032.TEST1_PUBLIC + ", ''," + Rfc8032.TEST1_SIGNATURE,
        "TEST 2 , " + Rfc8032.TEST2_SECRET + "," + Rfc8032.TEST2_PUBLIC + "," + Rfc8032.TEST2_MESSAGE + ","
                + Rfc8032.TEST2_SIGNATURE,
    })
    void jdkEd25519ReproducesRfc8032Vectors(
            String name, String secret, String publicKey, String message, String expectedSignature) throws Exception {
        PrivateKey privateKey = Ed25519Keys.privateKeyFromSeed(Hex.bytes(secret));
        PublicKey derived = Ed25519Keys.publicKeyOf(privateKey);
        assertThat(Hex.bytes(publicKey)).isEqualTo(Ed25519Keys.rawPublicKey(derived));

        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(privateKey);
        signer.update(Hex.bytes(message));
        assertThat(signer.sign()).isEqualTo(Hex.bytes(expectedSignature));

        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(Ed25519Keys.publicKeyFromRaw(Hex.bytes(publicKey)));
        verifier.update(Hex.bytes(message));
        assertThat(verifier.verify(Hex.bytes(expectedSignature))).isTrue();
    }

    @Test
    void writesPemAsOpensslDoes() {
        PrivateKey privateKey = Rfc8032.test1();

        assertThat(Ed25519Keys.privateKeyToPem(privateKey)).isEqualTo(TEST1_PRIVATE_PEM);
        assertThat(Ed25519Keys.publicKeyToPem(Ed25519Keys.publicKeyOf(privateKey)))
                .isEqualTo(TEST1_PUBLIC_PEM);
    }

    @Test
    void readsPemBackToTheSameKeys() {
        PrivateKey privateKey = Ed25519Keys.privateKeyFromPem(TEST1_PRIVATE_PEM);
        PublicKey publicKey = Ed25519Keys.publicKeyFromPem(TEST1_PUBLIC_PEM);

        assertThat(privateKey.getEncoded()).isEqualTo(Rfc8032.test1().getEncoded());
        assertThat(Ed25519Keys.rawPublicKey(publicKey)).isEqualTo(Hex.bytes(Rfc8032.TEST1_PUBLIC));
        assertThat(Ed25519Keys.privateKeyToPem(privateKey)).isEqualTo(TEST1_PRIVATE_PEM);
        assertThat(Ed25519Keys.publicKeyToPem(publicKey)).isEqualTo(TEST1_PUBLIC_PEM);
    }

    @Test
    void readsPemWithOtherWhiteSpace() {
        // RFC 7468 §3: CRLF, blank lines around the block, and any line length are all fine.
        String crlf = "\r\n\r\n" + TEST1_PRIVATE_PEM.replace("\n", "\r\n");
        String split = TEST1_PUBLIC_PEM
                .replace("MCowBQYDK2VwAyEA", "MCowBQYDK2VwAyEA\n  ")
                .strip();

        assertThat(Ed25519Keys.privateKeyFromPem(crlf).getEncoded())
                .isEqualTo(Rfc8032.test1().getEncoded());
        assertThat(Ed25519Keys.rawPublicKey(Ed25519Keys.publicKeyFromPem(split)))
                .isEqualTo(Hex.bytes(Rfc8032.TEST1_PUBLIC));
    }

    @Test
    void defaultKeyIdIsTruncatedSha256OfTheSpki() {
        // SHA-256 of the 44-byte SPKI 302a300506032b6570032100 || TEST 1 public key is
        // 06e3fd8fda29bb60ab59...; its first 8 bytes, base64url without padding:
        PublicKey publicKey = Ed25519Keys.publicKeyFromRaw(Hex.bytes(Rfc8032.TEST1_PUBLIC));

        assertThat(Ed25519Keys.defaultKeyId(publicKey)).isEqualTo("BuP9j9opu2A");
        assertThat(Base64.getUrlDecoder().decode("BuP9j9opu2A")).isEqualTo(Hex.bytes("06e3fd8fda29bb60"));
    }

    @Test
    void generatedKeysRoundTripThroughPem() {
        KeyPair pair = Ed25519Keys.generate(new SecureRandom());

        PrivateKey privateKey = Ed25519Keys.privateKeyFromPem(Ed25519Keys.privateKeyToPem(pair.getPrivate()));
        PublicKey publicKey = Ed25519Keys.publicKeyFromPem(Ed25519Keys.publicKeyToPem(pair.getPublic()));

        assertThat(privateKey.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(publicKey.getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        assertThat(Ed25519Keys.publicKeyOf(privateKey).getEncoded()).isEqualTo(publicKey.getEncoded());
        assertThat(Ed25519Keys.defaultKeyId(publicKey)).hasSize(11).matches("[A-Za-z0-9_-]+");
    }

    static Stream<Arguments> malformedPrivatePem() throws Exception {
        String body = "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g";
        return Stream.of(
                arguments("x".repeat(4097), "PEM text has 4097 characters (expected: at most 4096)"),
                arguments(body, "not PEM (expected: -----BEGIN PRIVATE KEY-----, RFC 7468)"),
                arguments("", "not PEM (expected: -----BEGIN PRIVATE KEY-----, RFC 7468)"),
                arguments(
                        TEST1_PUBLIC_PEM,
                        "PEM block has another label (expected: -----BEGIN PRIVATE KEY-----, RFC 7468)"),
                arguments(
                        TEST1_PRIVATE_PEM.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
                        "PEM block has another label (expected: -----BEGIN PRIVATE KEY-----, RFC 7468)"),
                arguments(
                        TEST1_PRIVATE_PEM.replace("-----END PRIVATE KEY-----", ""),
                        "PEM block does not end with -----END PRIVATE KEY-----"),
                arguments(
                        TEST1_PRIVATE_PEM + TEST1_PRIVATE_PEM,
                        "PEM text holds more than one block (expected: one PRIVATE KEY)"),
                arguments(TEST1_PRIVATE_PEM.replace("MC4C", "MC4*"), "PEM body is not base64 (RFC 7468 §3)"),
                arguments(
                        TEST1_PRIVATE_PEM.replace(body, "AAAA"),
                        "PRIVATE KEY is not an Ed25519 PKCS#8 key (RFC 8410 §7)"),
                arguments(
                        pem(
                                "PRIVATE KEY",
                                KeyPairGenerator.getInstance("Ed448")
                                        .generateKeyPair()
                                        .getPrivate()
                                        .getEncoded()),
                        "PRIVATE KEY is not an Ed25519 PKCS#8 key (RFC 8410 §7)"),
                arguments(
                        pem(
                                "PRIVATE KEY",
                                KeyPairGenerator.getInstance("EC")
                                        .generateKeyPair()
                                        .getPrivate()
                                        .getEncoded()),
                        "PRIVATE KEY is not an Ed25519 PKCS#8 key (RFC 8410 §7)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedPrivatePem")
    void malformedPrivateKeyIsMalformed(String pem, String message) {
        assertThatThrownBy(() -> Ed25519Keys.privateKeyFromPem(pem))
                .isInstanceOf(MalformedKeyException.class)
                .hasMessage(message);
    }

    static Stream<Arguments> malformedPublicPem() throws Exception {
        return Stream.of(
                arguments(
                        TEST1_PRIVATE_PEM,
                        "PEM block has another label (expected: -----BEGIN PUBLIC KEY-----, RFC 7468)"),
                arguments(
                        TEST1_PUBLIC_PEM.replace("-----END PUBLIC KEY-----", "-----END PRIVATE KEY-----"),
                        "PEM block does not end with -----END PUBLIC KEY-----"),
                arguments(
                        TEST1_PUBLIC_PEM.replace("HURo=", ""),
                        "PUBLIC KEY is not an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4)"),
                arguments(
                        pem(
                                "PUBLIC KEY",
                                KeyPairGenerator.getInstance("Ed448")
                                        .generateKeyPair()
                                        .getPublic()
                                        .getEncoded()),
                        "PUBLIC KEY is not an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4)"),
                arguments(
                        pem(
                                "PUBLIC KEY",
                                KeyPairGenerator.getInstance("EC")
                                        .generateKeyPair()
                                        .getPublic()
                                        .getEncoded()),
                        "PUBLIC KEY is not an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedPublicPem")
    void malformedPublicKeyIsMalformed(String pem, String message) {
        assertThatThrownBy(() -> Ed25519Keys.publicKeyFromPem(pem))
                .isInstanceOf(MalformedKeyException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsKeysOfOtherAlgorithmsAndRawBytesOfWrongLength() throws Exception {
        KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();

        assertThatThrownBy(() -> Ed25519Keys.privateKeyToPem(ed448.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: EdDSA (expected: Ed25519)");
        assertThatThrownBy(() -> Ed25519Keys.publicKeyOf(ed448.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ed25519Keys.rawPublicKey(ed448.getPublic()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ed25519Keys.privateKeyFromSeed(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seed: 31 bytes (expected: 32)");
        assertThatThrownBy(() -> Ed25519Keys.publicKeyFromRaw(new byte[33]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("raw: 33 bytes (expected: 32)");
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label
                + "-----\n";
    }
}
