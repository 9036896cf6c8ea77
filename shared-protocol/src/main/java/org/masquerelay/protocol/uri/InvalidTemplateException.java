package org.masquerelay.protocol.uri;

import org.masquerelay.protocol.ProtocolException;

/**
 * A connect-udp URI template broke the rules of <a
 * href="https://www.rfc-editor.org/rfc/rfc9298#section-2">RFC 9298 §2</a> or used more of <a
 * href="https://www.rfc-editor.org/rfc/rfc6570">RFC 6570</a> than {@link UdpProxyTemplate}
 * supports.
 */
public final class InvalidTemplateException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was wrong
   */
  public InvalidTemplateException(String message) {
    super(message);
  }
}
