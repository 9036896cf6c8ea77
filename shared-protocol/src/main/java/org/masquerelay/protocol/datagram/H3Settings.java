/*
 * Copyright 2026 The masque-relay authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.masquerelay.protocol.datagram;

/**
 * HTTP/3 SETTINGS identifiers a MASQUE endpoint sends with value 1 (docs/architecture.md §3): <a
 * href="https://www.rfc-editor.org/rfc/rfc9220#section-3">RFC 9220 §3</a> (extended CONNECT) and
 * <a href="https://www.rfc-editor.org/rfc/rfc9297#section-2.1.1">RFC 9297 §2.1.1</a> (HTTP/3
 * Datagrams).
 */
public final class H3Settings {

    /** Enables extended CONNECT ({@code :protocol}) over HTTP/3 (RFC 9220 §3, registered §5). */
    public static final long SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x08; // RFC 9220 §3

    /** Announces support for HTTP/3 Datagrams (RFC 9297 §2.1.1, registered in §5.1). */
    public static final long SETTINGS_H3_DATAGRAM = 0x33; // RFC 9297 §5.1

    private H3Settings() {}
}
