/**
 * Who may get tokens, and how many: account API keys and per-account rate limits.
 */
@NullMarked
package org.masquerelay.issuer.policy;

import org.jspecify.annotations.NullMarked;
