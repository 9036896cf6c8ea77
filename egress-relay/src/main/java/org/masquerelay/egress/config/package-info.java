/**
 * The egress relay's configuration records, loaded from YAML and validated before any socket is
 * bound.
 */
@NullMarked
package org.masquerelay.egress.config;

import org.jspecify.annotations.NullMarked;
