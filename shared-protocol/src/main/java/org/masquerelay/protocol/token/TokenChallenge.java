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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The default TokenChallenge structure (<a
 * href="https://www.rfc-editor.org/rfc/rfc9577#section-2.1.1">RFC 9577 §2.1.1</a>):
 *
 * <pre>
 * struct {
 *     uint16_t token_type;
 *     opaque issuer_name&lt;1..2^16-1&gt;;
 *     opaque redemption_context&lt;0..32&gt;;   // 0 or 32 bytes
 *     opaque origin_info&lt;0..2^16-1&gt;;
 * } TokenChallenge;
 * </pre>
 *
 * <p>Names are ASCII server names, {@code host[:port]} without userinfo (RFC 9577 §2.1.1.1);
 * origin_info is empty or a list of them joined by commas with no whitespace. The decoder takes
 * any token_type, because grease and other types share the structure; the issuance code checks
 * that it is 0x0002. Decoding is strict, so {@link #encode()} returns the exact input bytes and
 * {@link #digest()} is the challenge_digest a client computed over them.
 *
 * @param tokenType token_type, 0-65535
 * @param issuerName issuer_name, 1 to 65535 ASCII characters
 * @param redemptionContext redemption_context, 0 or 32 bytes
 * @param originInfo origin_info, empty or comma-separated server names, up to 65535 characters
 */
public record TokenChallenge(int tokenType, String issuerName, byte[] redemptionContext, String originInfo) {

    /** Length of a non-empty redemption_context (RFC 9577 §2.1.1). */
    public static final int REDEMPTION_CONTEXT_LENGTH = 32;

    private static final int MAX_VECTOR_LENGTH = 0xFFFF;

    /**
     * Validates every field against RFC 9577 §2.1.1 and copies the context.
     *
     * @throws MalformedTokenException if a field is out of range or a name is not a server name
     */
    public TokenChallenge {
        if (tokenType < 0 || tokenType > 0xFFFF) {
            throw new MalformedTokenException("token_type " + tokenType + " (expected: 0-65535)");
        }
        if (issuerName.isEmpty()) {
            throw new MalformedTokenException("issuer_name is empty");
        }
        if (issuerName.length() > MAX_VECTOR_LENGTH) {
            throw new MalformedTokenException("issuer_name length " + issuerName.length() + " exceeds 65535");
        }
        checkServerName("issuer_name", issuerName);
        int contextLength = redemptionContext.length;
        if (contextLength != 0 && contextLength != REDEMPTION_CONTEXT_LENGTH) {
            throw new MalformedTokenException("redemption_context length " + contextLength + " (expected: 0 or 32)");
        }
        redemptionContext = redemptionContext.clone();
        if (originInfo.length() > MAX_VECTOR_LENGTH) {
            throw new MalformedTokenException("origin_info length " + originInfo.length() + " exceeds 65535");
        }
        if (!originInfo.isEmpty()) {
            for (String name : originInfo.split(",", -1)) {
                checkServerName("origin_info", name);
            }
        }
    }

    /**
     * Decodes a TokenChallenge, rejecting truncation and trailing bytes.
     *
     * @throws MalformedTokenException if {@code bytes} is not exactly one valid TokenChallenge
     */
    public static TokenChallenge decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int tokenType = readUint16(in, "token_type");
        String issuerName = readAscii(in, readUint16(in, "issuer_name length"), "issuer_name");
        byte[] context = readBytes(in, readUint8(in), "redemption_context");
        String originInfo = readAscii(in, readUint16(in, "origin_info length"), "origin_info");
        if (in.hasRemaining()) {
            throw new MalformedTokenException("TokenChallenge has " + in.remaining() + " trailing bytes");
        }
        return new TokenChallenge(tokenType, issuerName, context, originInfo);
    }

    /** Encodes the structure. */
    public byte[] encode() {
        byte[] issuer = issuerName.getBytes(StandardCharsets.US_ASCII);
        byte[] origins = originInfo.getBytes(StandardCharsets.US_ASCII);
        int length = 2 + 2 + issuer.length + 1 + redemptionContext.length + 2 + origins.length;
        return ByteBuffer.allocate(length)
                .putShort((short) tokenType)
                .putShort((short) issuer.length)
                .put(issuer)
                .put((byte) redemptionContext.length)
                .put(redemptionContext)
                .putShort((short) origins.length)
                .put(origins)
                .array();
    }

    /** Returns challenge_digest = SHA-256(TokenChallenge) (RFC 9577 §2.2.1). */
    public byte[] digest() {
        return TokenKey.sha256(encode());
    }

    /** Returns a copy of redemption_context. */
    @Override
    public byte[] redemptionContext() {
        return redemptionContext.clone();
    }

    /** Returns the origin names in origin_info; empty if the challenge is cross-origin. */
    public List<String> originNames() {
        return originInfo.isEmpty() ? List.of() : List.of(originInfo.split(",", -1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenChallenge other
                && tokenType == other.tokenType
                && issuerName.equals(other.issuerName)
                && Arrays.equals(redemptionContext, other.redemptionContext)
                && originInfo.equals(other.originInfo);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return String.format(
                "TokenChallenge[tokenType=0x%04x, issuerName=%s, redemptionContext=%d bytes," + " originInfo=%s]",
                tokenType, issuerName, redemptionContext.length, originInfo);
    }

    private static void checkServerName(String field, String name) {
        if (name.isEmpty()) {
            throw new MalformedTokenException(field + " has an empty server name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == ',') {
                throw new MalformedTokenException(
                        field + " has a character that is not allowed in a server name at offset " + i);
            }
            if (c == '@') {
                throw new MalformedTokenException(field + " must not contain userinfo ('@') (RFC 9577 §2.1.1.1)");
            }
        }
    }

    private static int readUint8(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw new MalformedTokenException("TokenChallenge is truncated in redemption_context length");
        }
        return in.get() & 0xFF;
    }

    private static int readUint16(ByteBuffer in, String field) {
        if (in.remaining() < 2) {
            throw new MalformedTokenException("TokenChallenge is truncated in " + field);
        }
        return in.getShort() & 0xFFFF;
    }

    private static byte[] readBytes(ByteBuffer in, int length, String field) {
        if (in.remaining() < length) {
            throw new MalformedTokenException("TokenChallenge is truncated in "
                    + field
                    + " ("
                    + length
                    + " bytes declared, "
                    + in.remaining()
                    + " left)");
        }
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    private static String readAscii(ByteBuffer in, int length, String field) {
        byte[] bytes = readBytes(in, length, field);
        for (byte b : bytes) {
            if (b < 0) {
                throw new MalformedTokenException(field + " is not ASCII");
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
