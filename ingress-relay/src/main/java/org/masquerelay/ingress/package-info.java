/**
 * The ingress relay: it ends the client's QUIC connection, authenticates the client with Privacy
 * Pass, turns the client's address into a coarse signed geohash, and forwards each connect-udp
 * tunnel's datagrams to an egress relay without ever seeing the target (docs/architecture.md §1,
 * §2).
 */
@NullMarked
package org.masquerelay.ingress;

import org.jspecify.annotations.NullMarked;
