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
package org.masquerelay.protocol.uri;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * RFC 6570 §3.2.2 simple-expansion encoding (RFC 3986 §2.1 percent-encoding of everything but
 * unreserved characters, as UTF-8) and its strict inverse.
 */
final class PercentEncoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentEncoding() {}

    /** RFC 3986 §2.3: {@code ALPHA / DIGIT / "-" / "." / "_" / "~"}. */
    static boolean isUnreserved(int c) {
        return c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9'
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }

    /** Returns 0-15 for an ASCII hex digit, else -1. */
    static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Encodes as RFC 6570 simple expansion does: unreserved pass, all else {@code %XX} of UTF-8. */
    static String encode(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (isUnreserved(c)) {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >>> 4]).append(HEX[c & 0x0F]);
            }
        }
        return sb.toString();
    }

    /**
     * Decodes {@code %XX} triplets; every {@code %} must start a triplet of two hex digits and the
     * decoded bytes must be valid UTF-8. Other ASCII characters pass through for the caller to
     * judge.
     *
     * @param what names the value in error messages, for example "target host"
     */
    static String decode(String value, String what) {
        ByteBuffer bytes = ByteBuffer.allocate(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                int hi = i + 1 < value.length() ? hexValue(value.charAt(i + 1)) : -1;
                int lo = i + 2 < value.length() ? hexValue(value.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) {
                    throw new MalformedTargetException(what + " has invalid percent-encoding at offset " + i);
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                // A URI is ASCII (RFC 3986 §2); non-ASCII text must arrive percent-encoded.
                throw new MalformedTargetException(what + " contains a raw non-ASCII character");
            }
        }
        bytes.flip();
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedTargetException(what + " is not valid UTF-8 after percent-decoding");
        }
    }
}
