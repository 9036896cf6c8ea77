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
