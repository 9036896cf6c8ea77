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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.issuer.IssuerFixtures;
import org.masquerelay.protocol.token.BlindRsa;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;

class SigningKeyFileTest {
    @Test
    void writesAndReadsPkcs8Pem(@TempDir Path dir) throws Exception {
        BlindRsaPrivateKey key = IssuerFixtures.signingKey();
        String pem = SigningKeyFile.toPem(key);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        Path file = dir.resolve("issuer.key");
        Files.writeString(file, pem);

        assertThat(SigningKeyFile.read(file)).isEqualTo(key);
    }

    @Test
    void refusesOtherPemForms() {
        String body = Base64.getMimeEncoder()
                .encodeToString(IssuerFixtures.signingKey().encodePkcs8());
        assertThatThrownBy(() -> SigningKeyFile.fromPem(block("RSA PRIVATE KEY", body)))
                .hasMessageContaining("PKCS#1 RSA PRIVATE KEY")
                .hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> SigningKeyFile.fromPem(block("ENCRYPTED PRIVATE KEY", body)))
                .hasMessageContaining("encrypted key");
        assertThatThrownBy(() -> SigningKeyFile.fromPem(block("CERTIFICATE", body)))
                .hasMessage("PEM block CERTIFICATE (expected: PRIVATE KEY)");
        assertThatThrownBy(() -> SigningKeyFile.fromPem(block("PRIVATE KEY", body) + block("PRIVATE KEY", body)))
                .hasMessageContaining("more than one PEM block");
        assertThatThrownBy(() -> SigningKeyFile.fromPem("not a key")).hasMessageStartingWith("no PEM block");
        assertThatThrownBy(() -> SigningKeyFile.fromPem(block("PRIVATE KEY", "AAAA")))
                .hasMessageContaining("PKCS#8");
    }

    @Test
    void refusesKeysOfAnotherSize() {
        BlindRsaPrivateKey small = BlindRsa.generateKey(1024, new SecureRandom());
        assertThatThrownBy(() -> SigningKeyFile.fromPem(SigningKeyFile.toPem(small)))
                .hasMessage("token key modulus has 1024 bits (expected: 2048)");
    }

    @Test
    void refusesAKeyWhosePrivateExponentDoesNotMatch() {
        BlindRsaPrivateKey key = IssuerFixtures.signingKey();
        BlindRsaPrivateKey broken = new BlindRsaPrivateKey(
                key.p(), key.q(), key.publicExponent(), key.privateExponent().add(BigInteger.TWO));
        String pem = SigningKeyFile.toPem(broken);
        assertThatThrownBy(() -> SigningKeyFile.fromPem(pem))
                .hasMessage("the private exponent does not match the public key");
    }

    private static String block(String label, String base64) {
        return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
    }
}
