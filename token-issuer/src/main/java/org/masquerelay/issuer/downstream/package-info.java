/**
 * The issuer's HTTP endpoints: the issuer directory (RFC 9578 §4) and token requests (RFC 9578
 * §6).
 */
@NullMarked
package org.masquerelay.issuer.downstream;

import org.jspecify.annotations.NullMarked;
