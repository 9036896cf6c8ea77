/**
 * Stand-ins for "the target website" behind the relays: an HTTP/1.1 origin, a TCP echo server (for
 * CONNECT) and a UDP echo server (for connect-udp, RFC 9298).
 *
 * <p>Each one records the source address of every connection or datagram it accepts, because the
 * property the relay sells is the address the origin sees: tests assert it there, at the far end,
 * rather than trusting the relay's own logs. Each one streams with bounded memory, so benchmarks
 * can push gigabytes through it without the origin becoming the bottleneck or the heap.
 */
@NullMarked
package org.masquerelay.tools.origin;

import org.jspecify.annotations.NullMarked;
