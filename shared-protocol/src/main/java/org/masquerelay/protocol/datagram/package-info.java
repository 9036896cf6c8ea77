/**
 * HTTP Datagrams over QUIC DATAGRAM frames, <a
 * href="https://www.rfc-editor.org/rfc/rfc9297#section-2.1">RFC 9297 §2.1</a>, with the
 * connect-udp payload format of <a href="https://www.rfc-editor.org/rfc/rfc9298#section-5">RFC
 * 9298 §5</a>, and the HTTP/3 settings that enable them.
 */
@NullMarked
package org.masquerelay.protocol.datagram;

import org.jspecify.annotations.NullMarked;
