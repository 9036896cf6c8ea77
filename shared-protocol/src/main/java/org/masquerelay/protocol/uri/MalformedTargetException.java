package org.masquerelay.protocol.uri;

import org.masquerelay.protocol.ProtocolException;

/**
 * A proxy target (<a href="https://www.rfc-editor.org/rfc/rfc9298#section-3.1">RFC 9298
 * §3.1</a> host and port, or a <a href="https://www.rfc-editor.org/rfc/rfc9114#section-4.4">RFC
 * 9114 §4.4</a> CONNECT authority) was malformed. The request is answered with 400 and {@code
 * proxy-status: ...; error=http_request_error}. The message never repeats the whole host.
 */
public final class MalformedTargetException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was malformed
   */
  public MalformedTargetException(String message) {
    super(message);
  }
}
