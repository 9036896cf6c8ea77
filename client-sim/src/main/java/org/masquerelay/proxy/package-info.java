/**
 * Local proxy mode: a SOCKS5 listener (RFC 1928, with RFC 1929 username/password) and an HTTP
 * proxy listener (RFC 9110 §9.3.6 CONNECT and RFC 9112 §3.2.2 absolute-form requests) whose
 * flows leave through both hops.
 *
 * <p>Data path, downstream to upstream: {@link org.masquerelay.proxy.ProxyServer} accepts local
 * connections; {@code Socks5ServerHandler} or {@code HttpProxyHandler} negotiates; a
 * {@link org.masquerelay.proxy.ClientPool} picks a {@link org.masquerelay.client.MasqueClient}
 * with room for another stream and opens a CONNECT (RFC 9114 §4.4) or connect-udp (RFC 9298)
 * stream on its inner connection; bytes then move with {@code ByteStreamRelay}'s read-after-write
 * backpressure. Local sockets use NIO (docs/netty.md trap 7); streams run on the client's loop.
 */
@NullMarked
package org.masquerelay.proxy;

import org.jspecify.annotations.NullMarked;
