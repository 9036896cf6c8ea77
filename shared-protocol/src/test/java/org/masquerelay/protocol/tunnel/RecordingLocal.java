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

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * The local side of a tunnel under test: keeps every UDP payload it is handed (it owns them, as
 * {@link DatagramTunnelHandler.Local#fromPeer} says) until {@link #drain()} reads and frees them.
 */
final class RecordingLocal implements DatagramTunnelHandler.Local {
    private final List<ByteBuf> received = new ArrayList<>();
    int closed;

    @Override
    public void fromPeer(ByteBuf payload) {
        received.add(payload);
    }

    @Override
    public void closed() {
        closed++;
    }

    /**
     * The payloads received so far as hex, in order. All are released here and must then be
     * freed, so the handler kept no reference of its own. (Payloads cut from one DATA frame are
     * slices sharing its count, so each is checked only after all are released.)
     */
    List<String> drain() {
        List<String> out = new ArrayList<>();
        for (ByteBuf b : received) {
            out.add(ByteBufUtil.hexDump(b));
            b.release();
        }
        for (ByteBuf b : received) {
            assertThat(b.refCnt())
                    .as("refCnt after the local side released its payloads")
                    .isZero();
        }
        received.clear();
        return out;
    }
}
