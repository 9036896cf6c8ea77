/**
 * QUIC-aware proxying (draft-ietf-masque-quic-proxy): the connection-ID capsules, the {@code
 * Proxy-QUIC-Forwarding} header, the packet transforms of forwarded mode, and the few QUIC
 * invariants (RFC 8999 §5) a forwarder needs to read a short header. What this project implements
 * of the draft, and what it leaves out, is in docs/quic-forwarding.md.
 */
@NullMarked
package org.masquerelay.protocol.quicproxy;

import org.jspecify.annotations.NullMarked;
