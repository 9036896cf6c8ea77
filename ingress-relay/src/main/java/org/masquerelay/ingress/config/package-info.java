/**
 * The ingress relay's configuration records, loaded from YAML and validated before any socket is
 * bound.
 */
@NullMarked
package org.masquerelay.ingress.config;

import org.jspecify.annotations.NullMarked;
