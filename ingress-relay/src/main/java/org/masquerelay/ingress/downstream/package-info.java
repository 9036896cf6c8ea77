/**
 * The ingress's side toward the client: one request handler per connect-udp stream.
 */
package org.masquerelay.ingress.downstream;
