/**
 * The signed location of docs/architecture.md §4: the ingress signs a coarse geohash and country with Ed25519
 * (<a href="https://www.rfc-editor.org/rfc/rfc8032">RFC 8032</a>) and returns it as {@code
 * geo-assertion}; the client repeats it on inner requests beside {@code sec-ch-geohash}; the egress
 * verifies both.
 *
 * <ul>
 *   <li>{@link org.masquerelay.protocol.geo.GeoAssertion}: the assertion, its signed bytes and its
 *       RFC 8941 Dictionary field.
 *   <li>{@link org.masquerelay.protocol.geo.SecChGeohash}: the requested location, an RFC 8941
 *       String such as {@code "u4pru-GB"}.
 *   <li>{@link org.masquerelay.protocol.geo.GeoAssertionSigner} (ingress) and {@link
 *       org.masquerelay.protocol.geo.GeoAssertionVerifier} (egress), with the {@link
 *       org.masquerelay.protocol.geo.AssertionWindow} that rounds {@code not_after}.
 *   <li>{@link org.masquerelay.protocol.geo.Ed25519Keys}: PEM key text and the key-id convention.
 * </ul>
 *
 * <p>Privacy (docs/architecture.md §2): an assertion holds only the cell, the country, a rounded time and the
 * ingress key id, so every client in one cell and window presents the same bytes, and nothing in
 * it links the egress request to a client. Nothing here opens a file or a socket; callers read
 * keys and pass text.
 */
@NullMarked
package org.masquerelay.protocol.geo;

import org.jspecify.annotations.NullMarked;
