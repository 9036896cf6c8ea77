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
package org.masquerelay.issuer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.config.ConfigErrors;

class ApiKeysTest {
    static final String ALICE_KEY = "9aQeW1c0bXr7u2s8Kp4LzT";
    static final String BOB_KEY = "Zx81hG2mN5vQ0rT7yU3wE6+/==";

    @Test
    void parsesAccountsSkippingCommentsAndBlankLines() {
        ConfigErrors errors = new ConfigErrors();
        ApiKeys keys = ApiKeys.parse("""
                # the issuer's accounts
                alice:%s

                  bob : %s   # second device\r
                """.formatted(ALICE_KEY, BOB_KEY), "api-keys", errors);

        assertThat(errors.all()).isEmpty();
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.account(ALICE_KEY)).contains("alice");
        assertThat(keys.account(BOB_KEY)).contains("bob");
        assertThat(keys.account(ALICE_KEY + "x")).isEmpty();
        assertThat(keys.account(ALICE_KEY.substring(1))).isEmpty();
        assertThat(keys.account("")).isEmpty();
    }

    @Test
    void reportsEveryBadLineByNumberWithoutRepeatingItsText() {
        String secret = "Sup3rS3cretKeyValue0001";
        ConfigErrors errors = new ConfigErrors();
        ApiKeys keys = ApiKeys.parse(
                String.join(
                        "\n",
                        "alice:" + ALICE_KEY, // 1 ok
                        secret, // 2 no colon: a bare key
                        secret + ":alice2", // 3 swapped: the key stands where the account goes
                        "carol:short", // 4 key too short
                        "dave:" + "k".repeat(20) + " x", // 5 space inside the key
                        "-eve:" + "e".repeat(20), // 6 account starts with '-'
                        "alice:" + "a".repeat(20), // 7 account again
                        "frank:" + ALICE_KEY, // 8 key again
                        ":" + "g".repeat(20), // 9 empty account
                        "ok:" + "z".repeat(513)), // 10 key too long
                "api-keys",
                errors);

        assertThat(errors.all())
                .containsExactly(
                        "api-keys line 2: a line without ':' (expected: account-id:api-key)",
                        "api-keys line 3: an api key of 6 characters (expected: 16-512 characters of A-Z a-z 0-9 - . _ ~ + /"
                                + " then optional '=' (RFC 6750 b64token))",
                        "api-keys line 4: an api key of 5 characters (expected: 16-512 characters of A-Z a-z 0-9 - . _ ~ + /"
                                + " then optional '=' (RFC 6750 b64token))",
                        "api-keys line 5: an api key of 22 characters (expected: 16-512 characters of A-Z a-z 0-9 - . _ ~ + /"
                                + " then optional '=' (RFC 6750 b64token))",
                        "api-keys line 6: an account id of 4 characters (expected: 1-64 of A-Z a-z 0-9 . _ -, starting with"
                                + " a letter or digit)",
                        "api-keys line 7: an account id already given (expected: each account once; line 1 has the same"
                                + " account id)",
                        "api-keys line 8: an api key already given (expected: a key of its own per account; line 1 has the"
                                + " same key)",
                        "api-keys line 9: an account id of 0 characters (expected: 1-64 of A-Z a-z 0-9 . _ -, starting with"
                                + " a letter or digit)",
                        "api-keys line 10: an api key of 513 characters (expected: 16-512 characters of A-Z a-z 0-9 - . _ ~"
                                + " + / then optional '=' (RFC 6750 b64token))");
        assertThat(String.join("\n", errors.all())).doesNotContain(secret).doesNotContain(ALICE_KEY);
        // The good line still counts; the bad ones give no access.
        assertThat(keys.account(ALICE_KEY)).contains("alice");
        assertThat(keys.account("a".repeat(20))).isEmpty();
        assertThat(keys.account(secret)).isEmpty();
    }

    @Test
    void aFileWithoutAccountsIsAnError() {
        ConfigErrors errors = new ConfigErrors();
        ApiKeys.parse("# nobody yet\n\n", "api-keys", errors);
        assertThat(errors.all())
                .containsExactly("api-keys: no accounts (expected: at least one account-id:api-key" + " line)");
    }

    @Test
    void anUnreadableFileIsOneError(@TempDir Path dir) {
        ConfigErrors errors = new ConfigErrors();
        ApiKeys keys = ApiKeys.read(dir.resolve("missing.txt"), "api-keys", errors);
        assertThat(keys.size()).isZero();
        assertThat(errors.all())
                .singleElement()
                .asString()
                .startsWith("api-keys: ")
                .endsWith("missing.txt (expected: a readable UTF-8 file of account-id:api-key lines)");
    }

    @Test
    void readsAFileAndNeverShowsKeysInToString(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys.txt");
        Files.writeString(file, "alice:" + ALICE_KEY + "\n");
        ConfigErrors errors = new ConfigErrors();
        ApiKeys keys = ApiKeys.read(file, "api-keys", errors);
        assertThat(errors.all()).isEmpty();
        assertThat(keys.account(ALICE_KEY)).contains("alice");
        assertThat(keys).hasToString("ApiKeys[1 accounts]");
    }
}
