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
package org.masquerelay.protocol.token;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A {@link SecureRandom} that plays back fixed values, to replay published vectors. Each {@link
 * #nextBytes} call must ask for exactly the next value's length, so a test also pins down the
 * order and size of every random draw.
 */
final class ScriptedSecureRandom extends SecureRandom {

    private final Deque<byte[]> values = new ArrayDeque<>();

    ScriptedSecureRandom(byte[]... values) {
        for (byte[] value : values) {
            this.values.add(value.clone());
        }
    }

    @Override
    public void nextBytes(byte[] bytes) {
        byte[] next = values.poll();
        if (next == null) {
            throw new IllegalStateException("unexpected draw of " + bytes.length + " bytes");
        }
        if (next.length != bytes.length) {
            throw new IllegalStateException(
                    "draw of " + bytes.length + " bytes, but the next value has " + next.length);
        }
        System.arraycopy(next, 0, bytes, 0, bytes.length);
    }

    /** Returns whether every value was drawn. */
    boolean exhausted() {
        return values.isEmpty();
    }
}
