package org.masquerelay.protocol.tunnel;

import io.netty.buffer.ByteBuf;

/**
 * Receives the HTTP Datagrams of one request stream (RFC 9297 §2.1), after the quarter stream
 * ID has been consumed. Called on the connection's event loop; the receiver owns {@code payload}.
 */
@FunctionalInterface
public interface DatagramReceiver {
    void onDatagram(ByteBuf payload);
}
