/**
 * What the egress admits: packets only from configured ingress prefixes, locations only with a
 * valid signed assertion, and destinations only outside the forbidden ranges (the SSRF guard).
 */
@NullMarked
package org.masquerelay.egress.policy;

import org.jspecify.annotations.NullMarked;
