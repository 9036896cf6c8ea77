/**
 * Pure wire codecs shared by the relays and the client: QUIC variable-length integers, HTTP
 * capsules and datagrams (RFC 9297), connect-udp URI templates (RFC 9298), Proxy-Status
 * (RFC 9209), RFC 8941 structured fields and the signed geo assertion (docs/architecture.md §4). Nothing here
 * opens a socket or reads configuration.
 *
 * <p>Every malformed-input error is a {@link org.masquerelay.protocol.ProtocolException}, so a
 * handler can map "the peer sent garbage" to one error path.
 */
@NullMarked
package org.masquerelay.protocol;

import org.jspecify.annotations.NullMarked;
