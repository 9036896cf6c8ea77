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
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        "listeners: none (expected: --socks, --http or both)",
                        "max-streams-per-connection: 0 (expected: >= 1)",
                        "connect-timeout: PT0S (expected: a positive duration)",
                        "socks-auth: set (expected: only together with --socks)"));
    }

    @Test
    void oneListenerIsEnough() throws Exception {
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 0);
        assertThat(ProxyConfig.of(null, a, null, 1, Duration.ofSeconds(1)).httpListen()).isEqualTo(a);
    }
}
