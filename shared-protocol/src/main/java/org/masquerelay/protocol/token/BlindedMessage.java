package org.masquerelay.protocol.token;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * The output of Blind (<a href="https://www.rfc-editor.org/rfc/rfc9474#section-4.2">RFC 9474
 * §4.2</a>): the blinded message for the signer and the inverse of the blind, which the client
 * keeps for Finalize.
 *
 * <p>The inverse is what unlinks a signature from its issuance, so {@link #toString()} leaves it
 * out.
 *
 * @param blindedMsg the blinded message, modulus_len bytes
 * @param inv the inverse of the blinding factor r mod n
 */
public record BlindedMessage(byte[] blindedMsg, BigInteger inv) {

    /** Copies {@code blindedMsg}. */
    public BlindedMessage {
        blindedMsg = blindedMsg.clone();
    }

    /** Returns a copy of the blinded message. */
    @Override
    public byte[] blindedMsg() {
        return blindedMsg.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlindedMessage other
                && Arrays.equals(blindedMsg, other.blindedMsg)
                && inv.equals(other.inv);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(blindedMsg) + inv.hashCode();
    }

    @Override
    public String toString() {
        return "BlindedMessage[blindedMsg=" + blindedMsg.length + " bytes]";
    }
}
