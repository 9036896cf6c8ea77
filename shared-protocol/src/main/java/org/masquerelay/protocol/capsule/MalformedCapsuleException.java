package org.masquerelay.protocol.capsule;

import org.masquerelay.protocol.ProtocolException;

/**
 * A capsule (<a href="https://www.rfc-editor.org/rfc/rfc9297#section-3.2">RFC 9297 §3.2</a>) was
 * malformed. Per <a href="https://www.rfc-editor.org/rfc/rfc9297#section-3.3">§3.3</a> the request
 * stream is then reset with H3_MESSAGE_ERROR (docs/architecture.md §3).
 */
public final class MalformedCapsuleException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was malformed
   */
  public MalformedCapsuleException(String message) {
    super(message);
  }
}
