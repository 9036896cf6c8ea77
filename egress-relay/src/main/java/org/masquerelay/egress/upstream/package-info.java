/**
 * The egress's side toward targets: DNS resolution, the source address for each inner connection,
 * and dialing with Happy Eyeballs (RFC 8305).
 */
package org.masquerelay.egress.upstream;
