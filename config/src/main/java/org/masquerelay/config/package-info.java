/**
 * The config kit every binary uses: one immutable record tree per binary loaded from YAML with
 * unknown keys refused, every error collected with its YAML path and reported at once, IP
 * prefixes and socket addresses, TLS and admin listener settings, and the one PEM reader.
 */
@NullMarked
package org.masquerelay.config;

import org.jspecify.annotations.NullMarked;
