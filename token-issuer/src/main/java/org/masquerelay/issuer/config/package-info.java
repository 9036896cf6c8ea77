/**
 * The issuer's configuration and its signing key file.
 */
package org.masquerelay.issuer.config;
