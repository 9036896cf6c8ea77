package org.masquerelay.tools.origin;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last {@value #CAPACITY} source addresses an origin saw, oldest first.
 *
 * <p>Written by event loop threads, read by test threads; every method locks the instance.
 */
final class PeerLog {

  static final int CAPACITY = 1024;

  private final ArrayDeque<InetSocketAddress> peers = new ArrayDeque<>();

  synchronized void add(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      if (peers.size() == CAPACITY) {
        peers.removeFirst();
      }
      peers.addLast(inet);
    }
  }

  synchronized List<InetSocketAddress> snapshot() {
    return List.copyOf(peers);
  }
}
