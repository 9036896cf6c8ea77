package org.masquerelay.protocol.geo;

import org.masquerelay.protocol.ProtocolException;

/**
 * Key text handed to {@link Ed25519Keys} is not an Ed25519 key in the expected <a
 * href="https://www.rfc-editor.org/rfc/rfc7468">RFC 7468</a> PEM form: wrong label, bad base64, or
 * a key of another algorithm. The message never contains key material.
 */
public final class MalformedKeyException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was wrong
     */
    public MalformedKeyException(String message) {
        super(message);
    }
}
