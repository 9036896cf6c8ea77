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

import org.masquerelay.protocol.ProtocolException;

/**
 * One of the errors that the <a href="https://www.rfc-editor.org/rfc/rfc9474#section-4">RFC 9474
 * §4</a> operations raise, named by {@link #reason()}. The message starts with the RFC's name for
 * the error, for example {@code signing failure: ...}.
 */
public final class BlindRsaException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /** The RFC 9474 error names, with the operation that raises each. */
    public enum Reason {
        /**
         * Blind: EMSA-PSS-ENCODE failed because the modulus is too short for SHA-384 and a 48-byte
         * salt (<a href="https://www.rfc-editor.org/rfc/rfc8017#section-9.1.1">RFC 8017 §9.1.1</a>
         * step 3).
         */
        ENCODING_ERROR("encoding error"),
        /** Blind: the encoded message is not co-prime with n (RFC 9474 §4.2 steps 4-5). */
        INVALID_INPUT("invalid input"),
        /** Blind: the blinding factor r has no inverse mod n (RFC 9474 §4.2 steps 7-8). */
        BLINDING_ERROR("blinding error"),
        /** BlindSign: the blinded message is not below n (RSASP1, RFC 8017 §5.2.1 step 1). */
        MESSAGE_REPRESENTATIVE_OUT_OF_RANGE("message representative out of range"),
        /**
         * BlindSign: RSAVP1 of the result does not give back the blinded message, so the private
         * key operation was faulty (RFC 9474 §4.3 step 4, §7.1).
         */
        SIGNING_FAILURE("signing failure"),
        /** BlindSign and Finalize: a byte string is not modulus_len bytes long (RFC 9474 §4.4). */
        UNEXPECTED_INPUT_SIZE("unexpected input size"),
        /** Finalize and Verify: RSASSA-PSS-VERIFY rejected the signature (RFC 9474 §4.4-4.5). */
        INVALID_SIGNATURE("invalid signature");

        private final String rfcName;

        Reason(String rfcName) {
            this.rfcName = rfcName;
        }

        /** Returns the error's name as RFC 9474 spells it. */
        public String rfcName() {
            return rfcName;
        }
    }

    private final Reason reason;

    /**
     * Creates an exception.
     *
     * @param reason the RFC 9474 error
     * @param detail what made it happen, without secret values
     */
    public BlindRsaException(Reason reason, String detail) {
        super(reason.rfcName() + ": " + detail);
        this.reason = reason;
    }

    /** Returns the RFC 9474 error. */
    public Reason reason() {
        return reason;
    }
}
