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
package org.masquerelay.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.masquerelay.config.ConfigException;

class ProxyConfigTest {
    @Test
    void everyErrorIsReportedAtOnce() throws Exception {
        SocksCredentials users = SocksCredentials.parse(List.of("a:b"), "f");
        assertThatThrownBy(() -> ProxyConfig.of(null, null, users, 0, Duration.ZERO))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors())
                                .containsExactly(
                                        "listeners: none (expected: --socks, --http or both)",
                                        "max-streams-per-connection: 0 (expected: >= 1)",
                                        "connect-timeout: PT0S (expected: a positive duration)",
                                        "socks-auth: set (expected: only together with --socks)"));
    }

    @Test
    void oneListenerIsEnough() throws Exception {
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 0);
        assertThat(ProxyConfig.of(null, a, null, 1, Duration.ofSeconds(1)).httpListen())
                .isEqualTo(a);
    }
}
