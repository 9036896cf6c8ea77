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

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.masquerelay.config.ConfigException;

class SocksCredentialsTest {
    @Test
    void parsesUsersAndPasswordsWithColonsAndSkipsComments() throws Exception {
        SocksCredentials c = SocksCredentials.parse(List.of("# users", "", "alice:a:b:c", "bob:hunter2"), "f");
        assertThat(c.users()).isEqualTo(2);
        assertThat(c.matches("alice", "a:b:c")).isTrue();
        assertThat(c.matches("bob", "hunter2")).isTrue();
        assertThat(c.matches("bob", "hunter3")).isFalse();
        assertThat(c.matches("carol", "hunter2")).isFalse();
        assertThat(c.toString()).isEqualTo("SocksCredentials[2 user(s)]");
    }

    @Test
    void everyBadLineIsReportedWithoutItsContent() {
        String longPassword = "p".repeat(256);
        assertThatThrownBy(() -> SocksCredentials.parse(
                        List.of(
                                "nocolon-secret",
                                ":empty-user-secret",
                                "dave:" + longPassword,
                                "erin:one",
                                "erin:two",
                                "frank:"),
                        "users.txt"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors())
                            .containsExactly(
                                    "socks-auth line 1: (hidden) (expected: user:password)",
                                    "socks-auth line 2: (hidden) (expected: user:password)",
                                    "socks-auth line 3: (hidden) (expected: user and password of 1-255 bytes each (RFC 1929))",
                                    "socks-auth line 5: (hidden) (expected: each user once)",
                                    "socks-auth line 6: (hidden) (expected: user and password of 1-255 bytes each (RFC 1929))");
                    assertThat(e.getMessage())
                            .doesNotContain("secret")
                            .doesNotContain(longPassword)
                            .doesNotContain("one")
                            .doesNotContain("two");
                });
    }

    @Test
    void anEmptyFileIsAnError() {
        assertThatThrownBy(() -> SocksCredentials.parse(List.of("# nobody"), "f"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("at least one user:password");
    }

    @Test
    void aMissingFileIsAConfigError() {
        assertThatThrownBy(() -> SocksCredentials.load(Path.of("/nonexistent/socks-users")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a readable file");
    }
}
