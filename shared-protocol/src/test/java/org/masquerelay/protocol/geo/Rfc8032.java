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

import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.masquerelay.protocol.Hex;

/**
 * RFC 8032 §7.1 test keys, and the assertion that the geo tests pin: the TEST 1 key, named
 * {@code k1}, signing cell {@code u4pru} in GB at {@link #SIGNED_AT}.
 */
final class Rfc8032 {

    // RFC 8032 §7.1 TEST 1: empty message.
    static final String TEST1_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    static final String TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    static final String TEST1_SIGNATURE =
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    // RFC 8032 §7.1 TEST 2: one-byte message 0x72.
    static final String TEST2_SECRET = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
    static final String TEST2_PUBLIC = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    static final String TEST2_MESSAGE = "72";
    static final String TEST2_SIGNATURE =
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    /** 2025-11-24T15:55:12Z, inside the 10-minute window that ends at 1764000000. */
    static final long SIGNED_AT = 1_763_999_712L;

    /** ceil(SIGNED_AT / 600) * 600 + 3600. */
    static final long NOT_AFTER = 1_764_003_600L;

    /**
     * The TEST 1 key's signature over the assertion's signed bytes; the same bytes come from
     * {@code openssl pkeyutl -sign -rawin} with that key.
     */
    static final String SIGNATURE_BASE64 =
            "nlhDu18iTtBZfw45aQ1C+rx4Jc7j7GamV6FfhV3NhxiRNUMtnNXWlXRdTPgaSnRlHmr+R0Fr+ME3teE9tUB0DQ==";

    /** The pinned field value. */
    static final String FIELD = "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"k1\", sig=:" + SIGNATURE_BASE64 + ":";

    private Rfc8032() {}

    static PrivateKey test1() {
        return Ed25519Keys.privateKeyFromSeed(Hex.bytes(TEST1_SECRET));
    }

    static PrivateKey test2() {
        return Ed25519Keys.privateKeyFromSeed(Hex.bytes(TEST2_SECRET));
    }

    static Clock clockAt(long epochSecond) {
        return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }

    /** Returns the pinned assertion, signed afresh. */
    static GeoAssertion signedAssertion() {
        return GeoAssertionSigner.of(SigningKey.of("k1", test1()), clockAt(SIGNED_AT))
                .sign("u4pru", "GB");
    }
}
