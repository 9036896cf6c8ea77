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
package org.masquerelay.server;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of the last configuration reload (SIGHUP), as {@code /healthz} shows it. A failed
 * reload leaves the relay serving with its previous config, so health stays 200 and the body
 * says why the new file was refused. Thread-safe.
 */
public final class ReloadStatus {
    private record Outcome(Instant at, @Nullable String error) {}

    private volatile @Nullable Outcome last;

    public void succeeded() {
        last = new Outcome(Instant.now(), null);
    }

    /** @param error what was wrong with the new config, without secrets */
    public void failed(String error) {
        last = new Outcome(Instant.now(), error);
    }

    /** The last reload's error, or null when there was none or it succeeded. */
    public @Nullable String lastError() {
        Outcome o = last;
        return o == null ? null : o.error();
    }

    /** Lines for {@code /healthz}: empty before the first reload. */
    public String describe() {
        Outcome o = last;
        if (o == null) {
            return "";
        }
        return o.error() == null
                ? "config reloaded at " + o.at() + "\n"
                : "config reload failed at " + o.at() + ", still serving the previous config: " + o.error() + "\n";
    }
}
