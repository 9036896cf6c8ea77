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
package org.masquerelay.protocol;

/**
 * Base type for malformed input seen by a codec in this module. It is unchecked because
 * malformed input is a peer fault that a handler maps to a stream reset or connection close
 * (docs/architecture.md §3), not something every caller should have to declare.
 *
 * <p>Messages say what was wrong, for example {@code capsule length 70000 exceeds limit 65535},
 * but never echo whole peer-supplied values such as target host names.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was malformed
     */
    public ProtocolException(String message) {
        super(message);
    }
}
