/**
 * The ingress's side toward the client: one request handler per connect-udp stream.
 */
@NullMarked
package org.masquerelay.ingress.downstream;

import org.jspecify.annotations.NullMarked;
