/**
 * The client library: an outer QUIC+HTTP/3 connection to the ingress, a connect-udp tunnel to
 * the egress (RFC 9298), and the inner QUIC+HTTP/3 connection nested inside it, over which every
 * TCP flow is a CONNECT stream (RFC 9114 §4.4) and every UDP flow a connect-udp stream
 * (docs/architecture.md §1, §3).
 */
@NullMarked
package org.masquerelay.client;

import org.jspecify.annotations.NullMarked;
