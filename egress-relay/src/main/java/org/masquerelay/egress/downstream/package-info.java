/**
 * The egress's side toward the ingress: inner QUIC connections, and one request handler per
 * CONNECT or connect-udp stream.
 */
@NullMarked
package org.masquerelay.egress.downstream;

import org.jspecify.annotations.NullMarked;
