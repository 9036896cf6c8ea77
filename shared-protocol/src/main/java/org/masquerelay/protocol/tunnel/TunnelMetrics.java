package org.masquerelay.protocol.tunnel;

/**
 * Counters a tunnel reports. Implementations must be thread-safe and cheap; every method is
 * called on an event loop. The relays bind them to Micrometer.
 */
public interface TunnelMetrics {
    TunnelMetrics NOOP = new TunnelMetrics() {
    };

    /** A datagram was dropped; {@code reason} is a short constant such as {@code unknown_stream}. */
    default void datagramDropped(String reason) {
    }

    /** Payload bytes that travelled from the QUIC peer to the local socket. */
    default void bytesFromPeer(long bytes) {
    }

    /** Payload bytes that travelled from the local socket to the QUIC peer. */
    default void bytesToPeer(long bytes) {
    }
}
