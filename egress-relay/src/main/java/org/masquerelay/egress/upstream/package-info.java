/**
 * The egress's side toward targets: DNS resolution, the source address for each inner connection,
 * and dialing with Happy Eyeballs (RFC 8305).
 */
@NullMarked
package org.masquerelay.egress.upstream;

import org.jspecify.annotations.NullMarked;
