/**
 * The HTTP Capsule Protocol, <a href="https://www.rfc-editor.org/rfc/rfc9297#section-3.2">RFC
 * 9297 §3.2</a>, and its DATAGRAM capsule, <a
 * href="https://www.rfc-editor.org/rfc/rfc9297#section-3.5">§3.5</a>.
 *
 * <p>Capsules travel on the data stream of a connect-udp request as {@code Type (i) | Length (i)
 * | Value}. Receivers use them when a path lacks QUIC DATAGRAM frames (docs/architecture.md §3).
 */
@NullMarked
package org.masquerelay.protocol.capsule;

import org.jspecify.annotations.NullMarked;
