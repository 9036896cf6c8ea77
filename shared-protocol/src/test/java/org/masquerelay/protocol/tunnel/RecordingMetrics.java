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
package org.masquerelay.protocol.tunnel;

import java.util.ArrayList;
import java.util.List;

/** {@link TunnelMetrics} that remembers what it was told, for assertions. */
final class RecordingMetrics implements TunnelMetrics {
    final List<String> dropped = new ArrayList<>();
    long bytesFromPeer;
    long bytesToPeer;

    @Override
    public void datagramDropped(String reason) {
        dropped.add(reason);
    }

    @Override
    public void bytesFromPeer(long bytes) {
        bytesFromPeer += bytes;
    }

    @Override
    public void bytesToPeer(long bytes) {
        bytesToPeer += bytes;
    }
}
