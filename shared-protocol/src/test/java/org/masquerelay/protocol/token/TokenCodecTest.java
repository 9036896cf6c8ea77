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

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;

/**
 * The fixed-size structures of token type 0x0002: Token (RFC 9577 §2.2.1), TokenRequest (RFC 9578
 * §6.1) and TokenResponse (RFC 9578 §6.2), checked against the RFC 9578 Appendix A.2 bytes.
 */
class TokenCodecTest {

    private static final Map<String, String> V =
            VectorFile.read("rfc9578-a2-blind-rsa-2048.txt").get(0);

    private static final byte[] TOKEN = Hex.bytes(V.get("token"));
    private static final byte[] REQUEST = Hex.bytes(V.get("token_request"));
    private static final byte[] RESPONSE = Hex.bytes(V.get("token_response"));

    @Test
    void tokenSplitsIntoItsFields() {
        Token token = Token.decode(TOKEN);

        assertThat(token.nonce()).isEqualTo(Arrays.copyOfRange(TOKEN, 2, 34));
        assertThat(token.nonce()).isEqualTo(Hex.bytes(V.get("nonce")));
        assertThat(token.challengeDigest()).isEqualTo(TokenKey.sha256(Hex.bytes(V.get("token_challenge"))));
        assertThat(token.tokenKeyId()).isEqualTo(TokenKey.sha256(Hex.bytes(V.get("pkS"))));
        assertThat(token.authenticator()).isEqualTo(Arrays.copyOfRange(TOKEN, 98, 354));
        assertThat(token.authenticatorInput()).isEqualTo(Arrays.copyOf(TOKEN, 98));
        assertThat(token.encode()).isEqualTo(TOKEN);
        assertThat(Token.decode(token.encode())).isEqualTo(token).hasSameHashCodeAs(token);
    }

    @Test
    void tokenRequestSplitsIntoItsFields() {
        TokenRequest request = TokenRequest.decode(REQUEST);
        byte[] tokenKeyId = TokenKey.sha256(Hex.bytes(V.get("pkS")));

        assertThat(request.truncatedTokenKeyId()).isEqualTo(tokenKeyId[31] & 0xFF);
        assertThat(request.blindedMsg()).isEqualTo(Arrays.copyOfRange(REQUEST, 3, 259));
        assertThat(request.encode()).isEqualTo(REQUEST);
        assertThat(TokenRequest.decode(request.encode())).isEqualTo(request);
    }

    @Test
    void tokenResponseIsTheBlindSignature() {
        TokenResponse response = TokenResponse.decode(RESPONSE);

        assertThat(response.blindSig()).isEqualTo(RESPONSE);
        assertThat(response.encode()).isEqualTo(RESPONSE);
        assertThat(TokenResponse.decode(response.encode())).isEqualTo(response);
    }

    @Test
    void fieldsAreCopied() {
        Token token = Token.decode(TOKEN);
        token.nonce()[0] ^= 1;
        token.authenticator()[0] ^= 1;

        assertThat(token.encode()).isEqualTo(TOKEN);
    }

    @Test
    void truncatedTokenIsMalformed() {
        assertThatThrownBy(() -> Token.decode(new byte[0]))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("Token length 0 is too short for token_type");
        assertThatThrownBy(() -> Token.decode(new byte[] {0x00}))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("Token length 1 is too short for token_type");
        assertWrongLengthsRejected(Token::decode, TOKEN, "Token", 2, 34, 98, 353);
    }

    @Test
    void tokenWithTrailingBytesIsMalformed() {
        assertWrongLengthsRejected(Token::decode, TOKEN, "Token", 355, 1000);
    }

    @Test
    void tokenOfAnotherTypeIsMalformed() {
        for (int type : new int[] {0x0000, 0x0001, 0x0003, 0x0102, 0xFFFF}) {
            byte[] other = TOKEN.clone();
            other[0] = (byte) (type >> 8);
            other[1] = (byte) type;

            assertThatThrownBy(() -> Token.decode(other))
                    .isInstanceOf(MalformedTokenException.class)
                    .hasMessage(String.format("Token token_type 0x%04x is not supported (expected: 0x0002)", type));
        }
    }

    @Test
    void truncatedTokenRequestIsMalformed() {
        assertThatThrownBy(() -> TokenRequest.decode(new byte[] {0x00}))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("TokenRequest length 1 is too short for token_type");
        assertWrongLengthsRejected(TokenRequest::decode, REQUEST, "TokenRequest", 2, 3, 258);
    }

    @Test
    void tokenRequestWithTrailingBytesIsMalformed() {
        assertWrongLengthsRejected(TokenRequest::decode, REQUEST, "TokenRequest", 260);
    }

    @Test
    void tokenRequestOfAnotherTypeIsMalformed() {
        byte[] other = REQUEST.clone();
        other[1] = 0x01;

        assertThatThrownBy(() -> TokenRequest.decode(other))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("TokenRequest token_type 0x0001 is not supported (expected: 0x0002)");
    }

    @Test
    void tokenResponseOfTheWrongLengthIsMalformed() {
        assertWrongLengthsRejected(TokenResponse::decode, RESPONSE, "TokenResponse", 0, 255, 257);
    }

    @Test
    void constructorsRejectFieldsOfTheWrongLength() {
        Token token = Token.decode(TOKEN);
        assertThatThrownBy(() ->
                        new Token(new byte[31], token.challengeDigest(), token.tokenKeyId(), token.authenticator()))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("nonce length 31 (expected: 32)");
        assertThatThrownBy(() -> new TokenRequest(256, new byte[256]))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("truncated_token_key_id 256 (expected: 0-255)");
        assertThatThrownBy(() -> new TokenRequest(0, new byte[255]))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("blinded_msg length 255 (expected: 256)");
        assertThatThrownBy(() -> new TokenResponse(new byte[512]))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessage("blind_sig length 512 (expected: 256)");
    }

    /** Cuts or zero-extends {@code valid} to each length and expects a length error. */
    private static void assertWrongLengthsRejected(
            Function<byte[], ?> decoder, byte[] valid, String structure, int... lengths) {
        for (int length : lengths) {
            assertThatThrownBy(() -> decoder.apply(Arrays.copyOf(valid, length)))
                    .isInstanceOf(MalformedTokenException.class)
                    .hasMessage(structure + " length " + length + " (expected: " + valid.length + ")");
        }
    }
}
