/**
 * The {@code masque} command (picocli): the relays, the issuer, the client, the proxy, the pool
 * and key tools, {@code init}, {@code demo} and {@code bench}, and the loopback deployment they
 * share. Exit status 78 means a config error, 2 a usage error.
 */
@NullMarked
package org.masquerelay.cli;

import org.jspecify.annotations.NullMarked;
