/**
 * In-process certificate authority for tests, the demo and small deployments, so that every QUIC
 * hop can run real TLS 1.3 (RFC 9001) on loopback without openssl or checked-in keys.
 */
@NullMarked
package org.masquerelay.tools.pki;

import org.jspecify.annotations.NullMarked;
