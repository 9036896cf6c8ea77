package org.masquerelay.protocol.token;

import java.math.BigInteger;

/**
 * What a client keeps between sending a TokenRequest and receiving the TokenResponse (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.1">RFC 9578 §6.1</a>: "The Client stores
 * the nonce and challenge_digest values locally"), plus the blind's inverse and the issuer key
 * that Finalize needs (§6.3).
 *
 * <p>The inverse would let anyone who also sees the TokenResponse link the token to this
 * issuance, so {@link #toString()} leaves it out. Use a pending token once.
 *
 * @param request the TokenRequest to send to the issuer
 * @param nonce the token's 32-byte nonce
 * @param challengeDigest SHA-256 of the TokenChallenge
 * @param tokenKey the issuer key the request was blinded for
 * @param inv the inverse of the blinding factor, from RFC 9474 Blind
 */
public record PendingToken(
        TokenRequest request, byte[] nonce, byte[] challengeDigest, TokenKey tokenKey, BigInteger inv) {

    /**
     * Checks and copies the byte fields.
     *
     * @throws MalformedTokenException if nonce or challengeDigest is not 32 bytes
     */
    public PendingToken {
        nonce = Token.copyOfLength("nonce", nonce, Token.NONCE_LENGTH);
        challengeDigest = Token.copyOfLength("challenge_digest", challengeDigest, Token.NONCE_LENGTH);
    }

    /** Returns a copy of the nonce. */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** Returns a copy of challenge_digest. */
    @Override
    public byte[] challengeDigest() {
        return challengeDigest.clone();
    }

    /** Returns token_input, the message that was blinded (RFC 9578 §6.1). */
    byte[] tokenInput() {
        return Token.authenticatorInput(nonce, challengeDigest, tokenKey.tokenKeyId());
    }

    @Override
    public String toString() {
        return "PendingToken[" + request + "]";
    }
}
