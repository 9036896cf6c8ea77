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
package org.masquerelay.egress.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The host's addresses as a wildcard-listening egress learns them. */
class HostAddressesTest {
    @Test
    void theRealInterfacesIncludeLoopback() throws Exception {
        try (HostAddresses host = HostAddresses.watch(Duration.ofSeconds(30))) {
            assertThat(host.contains(InetAddress.getByName("127.0.0.1"))).isTrue();
            assertThat(host.addresses()).isEqualTo(HostAddresses.interfaces());
        }
    }

    @Test
    void aFailedRefreshKeepsTheLastSet() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        InetAddress a = InetAddress.getByName("9.9.9.9");
        HostAddresses host = HostAddresses.of(() -> {
            if (calls.incrementAndGet() > 1) {
                throw new java.net.SocketException("netlink busy");
            }
            return Set.of(a);
        });
        host.refresh();
        assertThat(host.contains(a)).isTrue();
        assertThat(calls).hasValue(2);
    }

    @Test
    void noneHoldsNothing() throws Exception {
        assertThat(HostAddresses.none().contains(InetAddress.getByName("127.0.0.1")))
                .isFalse();
    }
}
