/**
 * The ingress's side of QUIC-aware forwarding (draft-ietf-masque-quic-proxy, docs/quic-forwarding.md):
 * negotiation on the connect-udp request, the connection-ID capsules, the table of virtual
 * connection IDs, and the filter in front of the QUIC codec that takes forwarded packets off the
 * listening socket before the codec sees them.
 */
@NullMarked
package org.masquerelay.ingress.forwarding;

import org.jspecify.annotations.NullMarked;
