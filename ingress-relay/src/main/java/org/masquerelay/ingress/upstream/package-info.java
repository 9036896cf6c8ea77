/**
 * The ingress's side toward egress relays: one connected UDP socket per connect-udp tunnel.
 */
package org.masquerelay.ingress.upstream;
