/**
 * Privacy Pass with publicly verifiable tokens, the access scheme of docs/architecture.md §5.
 *
 * <ul>
 *   <li>{@link org.masquerelay.protocol.token.BlindRsa}: RSABSSA-SHA384-PSS-Deterministic blind
 *       signatures, <a href="https://www.rfc-editor.org/rfc/rfc9474">RFC 9474</a>, on
 *       BouncyCastle primitives.
 *   <li>{@link org.masquerelay.protocol.token.TokenChallenge}, {@link
 *       org.masquerelay.protocol.token.Token}, {@link org.masquerelay.protocol.token.TokenRequest},
 *       {@link org.masquerelay.protocol.token.TokenResponse}, {@link
 *       org.masquerelay.protocol.token.TokenKey} and {@link
 *       org.masquerelay.protocol.token.IssuerDirectory}: the wire structures of <a
 *       href="https://www.rfc-editor.org/rfc/rfc9577">RFC 9577</a> and <a
 *       href="https://www.rfc-editor.org/rfc/rfc9578">RFC 9578</a> for token type 0x0002.
 *   <li>{@link org.masquerelay.protocol.token.PublicTokenIssuance}: the three roles of the RFC 9578
 *       §6 issuance protocol (client, issuer, verifier).
 *   <li>{@link org.masquerelay.protocol.token.PrivateTokenChallenge} and {@link
 *       org.masquerelay.protocol.token.PrivateTokenCredentials}: the {@code PrivateToken} HTTP
 *       authentication scheme of RFC 9577 §2.
 * </ul>
 *
 * <p>Undecodable input throws {@link org.masquerelay.protocol.token.MalformedTokenException}; a
 * well-formed token that does not verify throws {@link
 * org.masquerelay.protocol.token.InvalidTokenException}; the RFC 9474 operations throw {@link
 * org.masquerelay.protocol.token.BlindRsaException} with the RFC's error name. All three are {@link
 * org.masquerelay.protocol.ProtocolException}s. Nothing here opens a socket, reads a file or reads
 * configuration; randomness always comes from a caller's {@link java.security.SecureRandom}.
 */
@NullMarked
package org.masquerelay.protocol.token;

import org.jspecify.annotations.NullMarked;
