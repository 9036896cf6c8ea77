package org.masquerelay.protocol.status;

import org.masquerelay.protocol.ProtocolException;

/**
 * A Proxy-Status field value (<a href="https://www.rfc-editor.org/rfc/rfc9209#section-2">RFC 9209
 * §2</a>) failed <a href="https://www.rfc-editor.org/rfc/rfc8941#section-4.2">RFC 8941 §4.2</a>
 * parsing or used a parameter with the wrong type.
 */
public final class MalformedProxyStatusException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was malformed
   */
  public MalformedProxyStatusException(String message) {
    super(message);
  }
}
