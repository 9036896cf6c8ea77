package org.masquerelay.protocol.datagram;

import org.masquerelay.protocol.ProtocolException;

/**
 * An HTTP/3 Datagram (<a href="https://www.rfc-editor.org/rfc/rfc9297#section-2.1">RFC 9297
 * §2.1</a>) was malformed. When it arrived in a QUIC DATAGRAM frame, the connection is closed
 * with {@link HttpDatagram#H3_DATAGRAM_ERROR} (docs/architecture.md §3).
 */
public final class MalformedDatagramException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was malformed
   */
  public MalformedDatagramException(String message) {
    super(message);
  }
}
