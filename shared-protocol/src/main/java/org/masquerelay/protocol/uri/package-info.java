/**
 * Proxy targets: the connect-udp URI template (<a
 * href="https://www.rfc-editor.org/rfc/rfc9298#section-2">RFC 9298 §2</a>, a level-1 subset of <a
 * href="https://www.rfc-editor.org/rfc/rfc6570">RFC 6570</a>) and the CONNECT authority (<a
 * href="https://www.rfc-editor.org/rfc/rfc9114#section-4.4">RFC 9114 §4.4</a>).
 *
 * <p>Hosts are validated strictly and canonicalized: DNS names are lower-cased LDH names, IPv4
 * literals are four decimal octets without leading zeros (so {@code 0177.0.0.1} or {@code
 * 2130706433} cannot slip past a destination filter), IPv6 literals are rewritten in the RFC
 * 5952 form and never carry a zone identifier.
 */
@NullMarked
package org.masquerelay.protocol.uri;

import org.jspecify.annotations.NullMarked;
