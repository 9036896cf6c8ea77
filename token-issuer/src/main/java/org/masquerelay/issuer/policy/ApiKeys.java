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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.masquerelay.config.ConfigErrors;

/**
 * The issuer's account credentials: which account an API key belongs to. Clients present the key
 * as {@code Authorization: Bearer <key>} (<a href="https://www.rfc-editor.org/rfc/rfc6750#section-2.1">RFC
 * 6750 §2.1</a>); the account is what the issuer may know about a client (docs/architecture.md §2) and what its
 * rate limit counts.
 *
 * <p>The file has one {@code account-id:api-key} per line:
 *
 * <pre>{@code
 * # comments start with '#', here or after an entry; blank lines are skipped
 * alice:9aQeW1c0bXr7u2s8Kp4LzT
 * bob:Zx81hG2mN5vQ0rT7yU3wE6   # second device
 * }</pre>
 *
 * <ul>
 *   <li>account id: 1-64 of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit;
 *   <li>api key: {@value #MIN_KEY_LENGTH}-{@value #MAX_KEY_LENGTH} characters of RFC 6750's
 *       b64token ({@code A-Z a-z 0-9 - . _ ~ + /}, then optional {@code =} padding), so that it
 *       travels unchanged in a Bearer header;
 *   <li>each account and each key appears once.
 * </ul>
 *
 * <p>Every bad line is reported with its line number. Error messages describe a bad line (its
 * length, which part is wrong) and never repeat its text: a line that is wrong may still hold a
 * secret, for example when account and key were swapped. Only SHA-256 digests of the keys are
 * kept after parsing, and {@link #toString()} shows the number of accounts only.
 */
public final class ApiKeys {
    /** Shortest accepted key: 16 base64 characters carry 96 bits. */
    public static final int MIN_KEY_LENGTH = 16;
    /** Longest accepted key. */
    public static final int MAX_KEY_LENGTH = 512;
    /** Largest file read, 1 MiB: room for thousands of accounts. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*"); // RFC 6750 §2.1
    private static final String ACCOUNT_EXPECTED = "1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit";
    private static final String KEY_EXPECTED = MIN_KEY_LENGTH + "-" + MAX_KEY_LENGTH
            + " characters of A-Z a-z 0-9 - . _ ~ + / then optional '=' (RFC 6750 b64token)";

    private final Map<String, String> accountsByDigest;

    private ApiKeys(Map<String, String> accountsByDigest) {
        this.accountsByDigest = Map.copyOf(accountsByDigest);
    }

    /**
     * Reads and parses {@code file}; a file that cannot be read is one error at {@code path}.
     *
     * @param path the YAML path of the key naming the file, prefixed to every error
     * @return the keys that parsed; empty if the file could not be read
     */
    public static ApiKeys read(Path file, String path, ConfigErrors errors) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                errors.add(path, file, "a file of at most " + MAX_FILE_BYTES + " bytes");
                return new ApiKeys(Map.of());
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8), path, errors);
        } catch (IOException e) {
            errors.add(path, file, "a readable UTF-8 file of account-id:api-key lines");
            return new ApiKeys(Map.of());
        }
    }

    /**
     * Parses the file's text; every problem is added to {@code errors} as {@code <path> line N}.
     *
     * @param path the YAML path of the key naming the file, prefixed to every error
     */
    public static ApiKeys parse(String text, String path, ConfigErrors errors) {
        Map<String, String> accountsByDigest = new HashMap<>();
        Map<String, Integer> accountLines = new HashMap<>();
        Map<String, Integer> keyLines = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String at = path + " line " + lineNumber;
            String line = lines[i];
            int hash = line.indexOf('#');
            line = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                errors.add(at, "a line without ':'", "account-id:api-key");
                continue;
            }
            String account = line.substring(0, colon).strip();
            String key = line.substring(colon + 1).strip();
            boolean ok = errors.check(
                    ACCOUNT.matcher(account).matches(),
                    at,
                    "an account id of " + account.length() + " characters",
                    ACCOUNT_EXPECTED);
            ok &= errors.check(
                    key.length() >= MIN_KEY_LENGTH
                            && key.length() <= MAX_KEY_LENGTH
                            && B64TOKEN.matcher(key).matches(),
                    at,
                    "an api key of " + key.length() + " characters",
                    KEY_EXPECTED);
            if (!ok) {
                continue;
            }
            Integer firstAccount = accountLines.putIfAbsent(account, lineNumber);
            ok = errors.check(
                    firstAccount == null,
                    at,
                    "an account id already given",
                    "each account once; line " + firstAccount + " has the same account id");
            String digest = digest(key);
            Integer firstKey = keyLines.putIfAbsent(digest, lineNumber);
            ok &= errors.check(
                    firstKey == null,
                    at,
                    "an api key already given",
                    "a key of its own per account; line " + firstKey + " has the same key");
            if (ok) {
                accountsByDigest.put(digest, account);
            }
        }
        if (accountLines.isEmpty()) {
            errors.add(path, "no accounts", "at least one account-id:api-key line");
        }
        return new ApiKeys(accountsByDigest);
    }

    /**
     * Returns the account that {@code apiKey} belongs to. The look-up is by SHA-256 digest, so the
     * time it takes depends on the digest of the presented key, not on how much of a real key it
     * matches.
     */
    public Optional<String> account(String apiKey) {
        return Optional.ofNullable(accountsByDigest.get(digest(apiKey)));
    }

    /** Returns the number of accounts. */
    public int size() {
        return accountsByDigest.size();
    }

    @Override
    public String toString() {
        return "ApiKeys[" + accountsByDigest.size() + " accounts]";
    }

    private static String digest(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks SHA-256", e);
        }
    }
}
