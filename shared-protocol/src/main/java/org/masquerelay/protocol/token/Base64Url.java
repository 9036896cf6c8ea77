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

import java.util.Base64;

/**
 * base64url with padding (<a href="https://www.rfc-editor.org/rfc/rfc4648#section-5">RFC 4648
 * §5</a>, padding as in §3.2), the encoding of every binary value in the {@code PrivateToken}
 * scheme (RFC 9577 §2.1.2, §2.2.2: "the base64url value MUST include padding") and of "token-key"
 * in the issuer directory (RFC 9578 §4).
 *
 * <p>Decoding accepts only the canonical form: the URL alphabet, a length that is a multiple of
 * four, the padding the length calls for, and zero bits after the last byte. The JDK decoder
 * alone would also take missing padding and stray trailing bits.
 */
final class Base64Url {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {}

    static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes canonical padded base64url.
     *
     * @param field names the value in error messages
     * @throws MalformedTokenException if {@code text} is not canonical padded base64url
     */
    static byte[] decode(String field, String text) {
        if (text.length() % 4 != 0) {
            throw new MalformedTokenException(field + ": base64url length " + text.length() + " is not a multiple of 4"
                    + " (padding is required)");
        }
        byte[] bytes;
        try {
            bytes = DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException(field + ": not base64url (RFC 4648 §5)");
        }
        if (!ENCODER.encodeToString(bytes).equals(text)) {
            throw new MalformedTokenException(field + ": base64url is not in canonical form");
        }
        return bytes;
    }
}
