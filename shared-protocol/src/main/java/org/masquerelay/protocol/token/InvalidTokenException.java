package org.masquerelay.protocol.token;

import org.masquerelay.protocol.ProtocolException;

/**
 * A well-formed Token failed verification (<a
 * href="https://www.rfc-editor.org/rfc/rfc9577#section-2.2.3">RFC 9577 §2.2.3</a>, <a
 * href="https://www.rfc-editor.org/rfc/rfc9578#section-6.4">RFC 9578 §6.4</a>): it was issued for
 * another challenge or another key, or its authenticator is not a valid signature.
 *
 * <p>The relay answers it like a missing token (407 with a fresh challenge, docs/architecture.md §3).
 */
public final class InvalidTokenException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message which check failed
     */
    public InvalidTokenException(String message) {
        super(message);
    }
}
