package org.masquerelay.protocol.varint;

import org.masquerelay.protocol.ProtocolException;

/**
 * A variable-length integer (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-16">RFC 9000
 * §16</a>) was truncated.
 */
public final class MalformedVarIntException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was malformed
   */
  public MalformedVarIntException(String message) {
    super(message);
  }
}
