/**
 * Structured Field Values for HTTP, <a href="https://www.rfc-editor.org/rfc/rfc8941">RFC 8941</a>:
 * one strict parser that the field codecs of the other packages ({@code status}, {@code geo})
 * share, so they all read Lists, Dictionaries and Items the same way.
 */
@NullMarked
package org.masquerelay.protocol.sfv;

import org.jspecify.annotations.NullMarked;
