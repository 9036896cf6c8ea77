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

import java.security.SecureRandom;
import java.util.Map;

/**
 * Opens the RFC 9578 Appendix A.2 fixtures of shared-protocol's test-jar to the ingress tests.
 * {@link VectorFile} and {@link TokenIssuanceVectorTest#issuerKey} are package-private there, so
 * this bridge lives in their package (on the test classpath only) rather than copying them.
 */
public final class IngressTokenFixtures {
    private static final String VECTORS = "rfc9578-a2-blind-rsa-2048.txt";

    private IngressTokenFixtures() {}

    /** Test vector {@code index} (0-4) of RFC 9578 Appendix A.2, fields by name, values in hex. */
    public static Map<String, String> vector(int index) {
        return VectorFile.read(VECTORS).get(index);
    }

    /** The issuer's private key of the RFC 9578 Appendix A.2 vectors (all five share it). */
    public static BlindRsaPrivateKey rfcIssuerKey() {
        return TokenIssuanceVectorTest.issuerKey(vector(0));
    }

    /**
     * The whole RFC 9578 §6 round trip with fresh randomness: the client's request for {@code
     * challenge} under {@code issuerKey}'s public key, the issuer's blind signature, and the
     * client's finalised token.
     */
    public static Token issue(TokenChallenge challenge, BlindRsaPrivateKey issuerKey) {
        SecureRandom random = new SecureRandom();
        TokenKey tokenKey = TokenKey.of(issuerKey.publicKey());
        PendingToken pending = PublicTokenIssuance.createTokenRequest(challenge, tokenKey, random);
        TokenResponse response = PublicTokenIssuance.evaluate(pending.request(), issuerKey);
        return PublicTokenIssuance.finalizeToken(pending, response);
    }
}
