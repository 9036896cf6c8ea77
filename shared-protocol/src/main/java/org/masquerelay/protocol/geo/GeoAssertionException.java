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
package org.masquerelay.protocol.geo;

import java.util.Objects;
import org.masquerelay.protocol.ProtocolException;

/**
 * A {@code geo-assertion} or {@code sec-ch-geohash} field (docs/architecture.md §4) was refused: it was malformed,
 * or the assertion did not verify, or it does not cover the requested location. The egress answers
 * 403 with {@code proxy-status: egress; error=http_request_denied} (<a
 * href="https://www.rfc-editor.org/rfc/rfc9209#section-2.3">RFC 9209 §2.3</a>) and a {@code
 * details} of its own for each {@link #reason()}.
 *
 * <p>Messages name the member and the problem; they repeat at most a key id or one character, never
 * a whole peer-supplied value.
 */
public final class GeoAssertionException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /** Why a location was refused, in the order {@link GeoAssertionVerifier} checks. */
    public enum Reason {
        /** A field does not parse, or a member has the wrong type or syntax. */
        MALFORMED,
        /** The assertion names a key id the egress does not trust. */
        UNKNOWN_KEY,
        /** {@code not_after} has passed, beyond the allowed clock skew. */
        EXPIRED,
        /**
         * {@code not_after} lies further ahead than a correctly rounded assertion can (window +
         * validity + skew): a misconfigured ingress clock or a key used outside its policy.
         */
        NOT_AFTER_TOO_FAR,
        /** The Ed25519 signature does not verify: the assertion was forged or altered. */
        BAD_SIGNATURE,
        /** The requested country is not the asserted one. */
        COUNTRY_MISMATCH,
        /** The requested geohash is longer, so finer, than the asserted one. */
        GEOHASH_TOO_FINE,
        /** The requested geohash is not a prefix of the asserted one: another cell. */
        GEOHASH_NOT_PREFIX
    }

    private final Reason reason;

    /**
     * Creates an exception.
     *
     * @param reason why the location was refused
     * @param message what was wrong
     */
    public GeoAssertionException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Returns a {@link Reason#MALFORMED} exception; the factory the field parsers use. */
    static GeoAssertionException malformed(String message) {
        return new GeoAssertionException(Reason.MALFORMED, message);
    }

    /** Returns why the location was refused. */
    public Reason reason() {
        return reason;
    }
}
