/**
 * The issuer's configuration and its signing key file.
 */
@NullMarked
package org.masquerelay.issuer.config;

import org.jspecify.annotations.NullMarked;
