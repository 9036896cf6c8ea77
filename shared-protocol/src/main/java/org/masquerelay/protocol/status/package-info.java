/**
 * The Proxy-Status response field, <a href="https://www.rfc-editor.org/rfc/rfc9209">RFC 9209</a>,
 * an <a href="https://www.rfc-editor.org/rfc/rfc8941#section-3.1">RFC 8941 §3.1</a> List whose
 * members name an intermediary and carry parameters such as {@code error} and {@code details}.
 */
@NullMarked
package org.masquerelay.protocol.status;

import org.jspecify.annotations.NullMarked;
