/*
 * Copyright 2026 The masque-relay authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.masquerelay.protocol.tunnel;

/**
 * Counters a tunnel reports. Implementations must be thread-safe and cheap; every method is
 * called on an event loop. The relays bind them to Micrometer.
 */
public interface TunnelMetrics {
    TunnelMetrics NOOP = new TunnelMetrics() {};

    /** A datagram was dropped; {@code reason} is a short constant such as {@code unknown_stream}. */
    default void datagramDropped(String reason) {}

    /** Payload bytes that travelled from the QUIC peer to the local socket. */
    default void bytesFromPeer(long bytes) {}

    /** Payload bytes that travelled from the local socket to the QUIC peer. */
    default void bytesToPeer(long bytes) {}
}
