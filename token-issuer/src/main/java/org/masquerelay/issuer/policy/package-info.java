/**
 * Who may get tokens, and how many: account API keys and per-account rate limits.
 */
package org.masquerelay.issuer.policy;
