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
package org.masquerelay.ingress.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.config.Addresses;
import org.masquerelay.protocol.uri.Target;

/**
 * The ingress forwards only to configured egress relays, so it is never an open UDP proxy
 * (docs/architecture.md §2): a target matches a relay only as the same IP literal and port, names
 * are never resolved, and what comes back is always the configured address, never one built from
 * the request.
 */
class EgressRelayPolicyTest {
    private static final InetSocketAddress V4 = Addresses.socketAddress("192.0.2.10:4434");
    private static final InetSocketAddress V6 = Addresses.socketAddress("[2001:db8::10]:4434");
    private static final InetSocketAddress LOOPBACK = Addresses.socketAddress("127.0.0.1:4434");

    private final EgressRelayPolicy policy = new EgressRelayPolicy(List.of(V4, V6, LOOPBACK));

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({
        "192.0.2.10, 4434, 0",
        "2001:db8::10, 4434, 1",
        "[2001:db8::10], 4434, 1",
        // Target canonicalises IPv6 text (RFC 5952), so every spelling of the address matches.
        "2001:DB8:0:0:0:0:0:10, 4434, 1",
        "2001:0db8::0010, 4434, 1",
        "127.0.0.1, 4434, 2"
    })
    void aConfiguredRelayIsAdmittedAsTheConfiguredAddress(String host, int port, int relay) {
        InetSocketAddress found = policy.lookup(new Target(host, port));

        // The very instance from the configuration: nothing of the request's text travels on.
        assertThat(found).isSameAs(policy.relays().get(relay));
    }

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({
        "192.0.2.10, 4433", // right address, other port
        "192.0.2.11, 4434", // other address, right port
        "2001:db8::11, 4434",
        "198.51.100.7, 53", // an arbitrary UDP target
        "::1, 4434", // loopback of the other family
        "127.0.0.2, 4434",
        // A name is never resolved, not even one that would resolve to a configured relay.
        "localhost, 4434",
        "egress.example, 4434"
    })
    void anythingElseIsRefused(String host, int port) {
        assertThat(policy.lookup(new Target(host, port))).isNull();
    }

    @Test
    void withNoRelaysConfiguredNothingIsAdmitted() {
        EgressRelayPolicy none = new EgressRelayPolicy(List.of());

        assertThat(none.lookup(new Target("192.0.2.10", 4434))).isNull();
        assertThat(none.relays()).isEmpty();
    }

    @Test
    void theRelayListIsACopyThatCannotBeChanged() throws Exception {
        List<InetSocketAddress> configured = new ArrayList<>(List.of(V4));
        EgressRelayPolicy copy = new EgressRelayPolicy(configured);
        InetSocketAddress added =
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 7}), 53);

        configured.add(added);

        assertThat(copy.relays()).containsExactly(V4);
        assertThat(copy.lookup(new Target("198.51.100.7", 53))).isNull();
        assertThatThrownBy(() -> copy.relays().add(added)).isInstanceOf(UnsupportedOperationException.class);
    }
}
