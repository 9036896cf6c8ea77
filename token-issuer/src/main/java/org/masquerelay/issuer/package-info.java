/**
 * The Privacy Pass issuer: RFC 9578 issuance of token type 0x0002 (blind RSA, RFC 9474) over
 * HTTP, for clients that hold an account API key (docs/architecture.md §5).
 */
@NullMarked
package org.masquerelay.issuer;

import org.jspecify.annotations.NullMarked;
