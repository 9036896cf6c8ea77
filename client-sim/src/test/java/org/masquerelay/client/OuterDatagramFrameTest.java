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
package org.masquerelay.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The outer DATAGRAM frame's room, from the one figure quiche reports at the handshake. */
class OuterDatagramFrameTest {
    @Test
    void aFigureReportedAtTheStartingSizeIsScaledToTheFullPacket() {
        // 10-byte ID: 1200 - (1 + 10 + 4 + 16 + 3) = 1166.
        assertThat(MasqueClient.outerDatagramFrame(1166, 1452)).containsExactly(1418, 34);
    }

    @Test
    void aFigureReportedAtTheFullSizeIsTakenAsItIs() {
        assertThat(MasqueClient.outerDatagramFrame(1418, 1452)).containsExactly(1418, 34);
        // quiche's default 20-byte IDs.
        assertThat(MasqueClient.outerDatagramFrame(1408, 1452)).containsExactly(1408, 44);
    }

    @Test
    void aFigureCappedByThePeersMaxDatagramFrameSizeIsTakenAsItIs() {
        assertThat(MasqueClient.outerDatagramFrame(1000, 1452)).containsExactly(1000, 44);
    }
}
