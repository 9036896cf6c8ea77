/**
 * Socket-free HTTP/3 stream handlers shared by the client and both relays: the HTTP Datagram
 * demultiplexer (RFC 9297 §2), datagram tunnels, byte-stream relays with backpressure, and the
 * peer-settings check (RFC 9220, RFC 9297 §2.1.1).
 */
@NullMarked
package org.masquerelay.protocol.tunnel;

import org.jspecify.annotations.NullMarked;
