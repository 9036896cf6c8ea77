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
import java.util.Arrays;

/**
 * The client-to-issuer TokenRequest for token type 0x0002 (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.1">RFC 9578 §6.1</a>), the content of an
 * {@code application/private-token-request}:
 *
 * <pre>
 * struct {
 *     uint16_t token_type = 0x0002;
 *     uint8_t truncated_token_key_id;
 *     uint8_t blinded_msg[256];          // Nk
 * } TokenRequest;
 * </pre>
 *
 * @param truncatedTokenKeyId the last byte of token_key_id, 0-255
 * @param blindedMsg the RFC 9474 blinded message, 256 bytes
 */
public record TokenRequest(int truncatedTokenKeyId, byte[] blindedMsg) {

    /** Length of an encoded type 0x0002 TokenRequest: 2 + 1 + Nk = 259. */
    public static final int LENGTH = 2 + 1 + PublicTokenIssuance.NK;

    /**
     * Checks the fields and copies the blinded message.
     *
     * @throws MalformedTokenException if a field is out of range
     */
    public TokenRequest {
        if (truncatedTokenKeyId < 0 || truncatedTokenKeyId > 0xFF) {
            throw new MalformedTokenException("truncated_token_key_id " + truncatedTokenKeyId + " (expected: 0-255)");
        }
        blindedMsg = Token.copyOfLength("blinded_msg", blindedMsg, PublicTokenIssuance.NK);
    }

    /**
     * Decodes a TokenRequest.
     *
     * @throws MalformedTokenException if {@code bytes} is not exactly one type 0x0002 TokenRequest
     */
    public static TokenRequest decode(byte[] bytes) {
        PublicTokenIssuance.checkTokenType("TokenRequest", bytes);
        if (bytes.length != LENGTH) {
            throw new MalformedTokenException("TokenRequest length " + bytes.length + " (expected: " + LENGTH + ")");
        }
        return new TokenRequest(bytes[2] & 0xFF, Arrays.copyOfRange(bytes, 3, bytes.length));
    }

    /** Encodes the TokenRequest. */
    public byte[] encode() {
        return ByteBuffer.allocate(LENGTH)
                .putShort((short) PublicTokenIssuance.TOKEN_TYPE)
                .put((byte) truncatedTokenKeyId)
                .put(blindedMsg)
                .array();
    }

    /** Returns a copy of blinded_msg. */
    @Override
    public byte[] blindedMsg() {
        return blindedMsg.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenRequest other && Arrays.equals(encode(), other.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return String.format("TokenRequest[truncatedTokenKeyId=0x%02x]", truncatedTokenKeyId);
    }
}
