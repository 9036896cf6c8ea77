/**
 * The ingress's side toward egress relays: one connected UDP socket per connect-udp tunnel.
 */
@NullMarked
package org.masquerelay.ingress.upstream;

import org.jspecify.annotations.NullMarked;
