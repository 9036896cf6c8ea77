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
package org.masquerelay.protocol.status;

import org.masquerelay.protocol.ProtocolException;

/**
 * A Proxy-Status field value (<a href="https://www.rfc-editor.org/rfc/rfc9209#section-2">RFC 9209
 * §2</a>) failed <a href="https://www.rfc-editor.org/rfc/rfc8941#section-4.2">RFC 8941 §4.2</a>
 * parsing or used a parameter with the wrong type.
 */
public final class MalformedProxyStatusException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was malformed
     */
    public MalformedProxyStatusException(String message) {
        super(message);
    }
}
