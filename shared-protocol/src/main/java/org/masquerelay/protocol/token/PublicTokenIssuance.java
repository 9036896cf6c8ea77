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
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The issuance protocol for publicly verifiable tokens, token type 0x0002 "Blind RSA (2048-bit)"
 * (<a href="https://www.rfc-editor.org/rfc/rfc9578#section-6">RFC 9578 §6</a>), one method per
 * step:
 *
 * <ol>
 *   <li>client: {@link #createTokenRequest} (§6.1);
 *   <li>issuer: {@link #evaluate} (§6.2);
 *   <li>client: {@link #finalizeToken} (§6.3);
 *   <li>origin or relay: {@link #verify} (§6.4, RFC 9577 §2.2.3).
 * </ol>
 *
 * <p>The blind signature variant is RSABSSA-SHA384-PSS-Deterministic ({@link BlindRsa}). The
 * issuer learns the blinded message only, so it cannot link the token it helped make to the
 * redemption (docs/architecture.md §2). Double-spend checks are the verifier's business, keyed on the nonce.
 */
public final class PublicTokenIssuance {

    /** token_type of "Blind RSA (2048-bit)" (RFC 9578 §8.2.2). */
    public static final int TOKEN_TYPE = 0x0002;

    /** Nk, the length of blinded_msg, blind_sig and authenticator (RFC 9578 §8.2.2). */
    public static final int NK = 256;

    /** Nid, the length of token_key_id (RFC 9578 §8.2.2). */
    public static final int NID = 32;

    private PublicTokenIssuance() {}

    /**
     * Generates an issuer key: 2048 bits, e = 65537 (RFC 9578 §6.5).
     *
     * @param random the source of the primes
     */
    public static BlindRsaPrivateKey generateKey(SecureRandom random) {
        return BlindRsa.generateKey(TokenKey.MODULUS_BITS, random);
    }

    /**
     * Client, RFC 9578 §6.1: picks a nonce, binds it to the challenge and the key, and blinds it.
     *
     * @param challenge the origin's challenge, of token_type 0x0002
     * @param tokenKey the issuer key named with the challenge
     * @param random the source of, in order, the 32-byte nonce, the 48-byte PSS salt and the blind
     * @return the request to send and the state to keep for {@link #finalizeToken}
     * @throws MalformedTokenException if the challenge is of another token_type
     */
    public static PendingToken createTokenRequest(TokenChallenge challenge, TokenKey tokenKey, SecureRandom random) {
        if (challenge.tokenType() != TOKEN_TYPE) {
            throw unsupportedType("TokenChallenge", challenge.tokenType());
        }
        // nonce = random(32)
        byte[] nonce = new byte[Token.NONCE_LENGTH];
        random.nextBytes(nonce);
        // challenge_digest = SHA256(challenge)
        byte[] challengeDigest = challenge.digest();
        // token_input = concat(0x0002, nonce, challenge_digest, token_key_id)
        byte[] tokenInput = Token.authenticatorInput(nonce, challengeDigest, tokenKey.tokenKeyId());
        // blinded_msg, blind_inv = Blind(pkI, PrepareIdentity(token_input))
        BlindedMessage blinded = BlindRsa.blind(tokenKey.publicKey(), BlindRsa.prepareIdentity(tokenInput), random);
        TokenRequest request = new TokenRequest(tokenKey.truncatedTokenKeyId(), blinded.blindedMsg());
        return new PendingToken(request, tokenInput, tokenKey, blinded.inv());
    }

    /**
     * Issuer, RFC 9578 §6.2: checks the request against the key and signs the blinded message.
     * Decoding the request with {@link TokenRequest#decode} has already checked its token_type and
     * the size of blinded_msg.
     *
     * @param request the client's request
     * @param issuerKey the private key whose truncated key ID the request names
     * @throws MalformedTokenException if the truncated key ID does not match {@code issuerKey} or
     *     the key is not 2048 bits (the issuer answers 422)
     * @throws BlindRsaException if BlindSign fails (RFC 9474 §4.3)
     */
    public static TokenResponse evaluate(TokenRequest request, BlindRsaPrivateKey issuerKey) {
        TokenKey tokenKey = TokenKey.of(issuerKey.publicKey());
        if (request.truncatedTokenKeyId() != tokenKey.truncatedTokenKeyId()) {
            throw new MalformedTokenException(String.format(
                    "truncated_token_key_id 0x%02x does not match the issuer key (0x%02x)",
                    request.truncatedTokenKeyId(), tokenKey.truncatedTokenKeyId()));
        }
        // blind_sig = BlindSign(skI, TokenRequest.blinded_msg)
        return new TokenResponse(BlindRsa.blindSign(issuerKey, request.blindedMsg()));
    }

    /**
     * Client, RFC 9578 §6.3: unblinds the issuer's response into the token's authenticator.
     *
     * @param pending the state from {@link #createTokenRequest}
     * @param response the issuer's response
     * @throws BlindRsaException with {@code INVALID_SIGNATURE} if the issuer's response does not
     *     unblind to a valid signature (the client aborts, §6.3)
     */
    public static Token finalizeToken(PendingToken pending, TokenResponse response) {
        byte[] tokenInput = pending.tokenInput();
        // authenticator = Finalize(pkI, PrepareIdentity(token_input), blind_sig, blind_inv)
        byte[] authenticator = BlindRsa.finalizeSignature(
                pending.tokenKey().publicKey(),
                BlindRsa.prepareIdentity(tokenInput),
                response.blindSig(),
                pending.inv());
        // The Token is token_input followed by the authenticator (RFC 9578 §6.3).
        return Token.decode(ByteBuffer.allocate(Token.LENGTH)
                .put(tokenInput)
                .put(authenticator)
                .array());
    }

    /**
     * Origin or relay, RFC 9578 §6.4 and RFC 9577 §2.2.3: checks that the token answers the
     * expected challenge, names the expected key, and carries a valid signature from it. It does
     * not check for double spending.
     *
     * @param token the decoded token
     * @param challengeDigest SHA-256 of the challenge the verifier sent or accepts
     * @param tokenKey the issuer key the verifier trusts
     * @throws InvalidTokenException naming the first check that failed
     */
    public static void verify(Token token, byte[] challengeDigest, TokenKey tokenKey) {
        if (!MessageDigest.isEqual(token.challengeDigest(), challengeDigest)) {
            throw new InvalidTokenException("challenge_digest does not match the challenge");
        }
        if (!MessageDigest.isEqual(token.tokenKeyId(), tokenKey.tokenKeyId())) {
            throw new InvalidTokenException("token_key_id does not match the issuer key");
        }
        try {
            // valid = RSASSA-PSS-VERIFY(pkI, token_authenticator_input, Token.authenticator)
            BlindRsa.verify(tokenKey.publicKey(), token.authenticatorInput(), token.authenticator());
        } catch (BlindRsaException e) {
            throw new InvalidTokenException("authenticator is not a valid signature by the issuer key");
        }
    }

    /** Checks the leading token_type of an encoded Token or TokenRequest. */
    static void checkTokenType(String structure, byte[] bytes) {
        if (bytes.length < 2) {
            throw new MalformedTokenException(structure + " length " + bytes.length + " is too short for token_type");
        }
        int tokenType = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
        if (tokenType != TOKEN_TYPE) {
            throw unsupportedType(structure, tokenType);
        }
    }

    private static MalformedTokenException unsupportedType(String structure, int tokenType) {
        return new MalformedTokenException(String.format(
                "%s token_type 0x%04x is not supported (expected: 0x%04x)", structure, tokenType, TOKEN_TYPE));
    }
}
