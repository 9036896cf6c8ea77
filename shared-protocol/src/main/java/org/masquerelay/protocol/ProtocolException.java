package org.masquerelay.protocol;

/**
 * Base type for malformed input seen by a codec in this module. It is unchecked because
 * malformed input is a peer fault that a handler maps to a stream reset or connection close
 * (docs/architecture.md §3), not something every caller should have to declare.
 *
 * <p>Messages say what was wrong, for example {@code capsule length 70000 exceeds limit 65535},
 * but never echo whole peer-supplied values such as target host names.
 */
public class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was malformed
   */
  public ProtocolException(String message) {
    super(message);
  }
}
