/**
 * What the ingress admits: valid, unspent tokens (RFC 9577, RFC 9578), only the configured egress
 * relays as targets, and the geolocation of the client that goes into the signed assertion.
 */
@NullMarked
package org.masquerelay.ingress.policy;

import org.jspecify.annotations.NullMarked;
