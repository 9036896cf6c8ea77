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
package org.masquerelay.issuer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.masquerelay.issuer.config.SigningKeyFile;
import org.masquerelay.protocol.token.BlindRsaPrivateKey;
import org.masquerelay.protocol.token.PublicTokenIssuance;

/** Files for an issuer under test. A 2048-bit key takes a second or more, so one serves a JVM. */
public final class IssuerFixtures {
    private static BlindRsaPrivateKey signingKey;

    private IssuerFixtures() {}

    /** The signing key shared by the tests of this JVM. */
    public static synchronized BlindRsaPrivateKey signingKey() {
        if (signingKey == null) {
            signingKey = PublicTokenIssuance.generateKey(new SecureRandom());
        }
        return signingKey;
    }

    /**
     * Writes {@code issuer.key}, {@code api-keys.txt} and {@code issuer.yaml} (listening on
     * 127.0.0.1:0, issuer name {@code issuer.test}, relative file names) into {@code dir}.
     *
     * @param apiKeys the api-keys file's text
     * @param moreYaml further config lines
     * @return the config file
     */
    public static Path writeConfig(Path dir, String apiKeys, String moreYaml) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("issuer.key"), SigningKeyFile.toPem(signingKey()));
        Files.writeString(dir.resolve("api-keys.txt"), apiKeys);
        Path config = dir.resolve("issuer.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                issuer-name: issuer.test
                signing-key: issuer.key
                api-keys: api-keys.txt
                """ + moreYaml);
        return config;
    }
}
