/**
 * What both relays share at run time: the server lifecycle (bind, admin, GOAWAY, drain, close),
 * the admin listener, connection admission, metrics, the QUIC server settings, and the request
 * base class that drives every request through the same phases and writes every response.
 */
@NullMarked
package org.masquerelay.server;

import org.jspecify.annotations.NullMarked;
