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

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortTest {
    /**
     * Linux hands out a port that other {@code SO_REUSEPORT} sockets already hold when such a
     * socket binds port 0 (about one in 200 here), which would merge two relays' listeners. The
     * probe {@link RelayServer#freePort} binds without the option, so it never returns one of them.
     */
    @Test
    void aPortPickedForAReusePortGroupIsNotOneAnotherGroupHolds() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<DatagramChannel> others = new ArrayList<>();
        Set<Integer> held = new HashSet<>();
        try {
            for (int i = 0; i < 300; i++) {
                DatagramChannel c = DatagramChannel.open();
                others.add(c);
                c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                c.bind(any);
                held.add(((InetSocketAddress) c.getLocalAddress()).getPort());
            }
            for (int i = 0; i < 3000; i++) {
                assertThat(held).doesNotContain(RelayServer.freePort(any).getPort());
            }
        } finally {
            for (DatagramChannel c : others) {
                c.close();
            }
        }
    }
}
