/**
 * The egress relay's configuration records, loaded from YAML and validated before any socket is
 * bound.
 */
package org.masquerelay.egress.config;
