/**
 * QUIC variable-length integers, <a href="https://www.rfc-editor.org/rfc/rfc9000#section-16">RFC
 * 9000 §16</a>, used by capsules, HTTP datagrams and HTTP/3 frames.
 */
@NullMarked
package org.masquerelay.protocol.varint;

import org.jspecify.annotations.NullMarked;
