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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.masquerelay.config.ConfigErrors;
import org.masquerelay.config.ConfigException;

/**
 * Users of SOCKS5 username/password authentication (RFC 1929), read from a file of
 * {@code user:password} lines (blank lines and lines starting with {@code #} are skipped; the
 * password is everything after the first colon). RFC 1929 §2 carries each in 1-255 bytes.
 *
 * <p>Passwords are kept only as SHA-256 digests and compared in constant time. Neither they nor
 * the user names appear in errors, logs or {@link #toString()}. Immutable and thread-safe.
 */
public final class SocksCredentials {
    /** RFC 1929 §2: ULEN and PLEN are one byte each and at least 1. */
    static final int MAX_FIELD_BYTES = 255;

    private static final byte[] NO_USER = sha256("\0no such user\0");

    private final Map<String, byte[]> passwordDigests;

    private SocksCredentials(Map<String, byte[]> passwordDigests) {
        this.passwordDigests = Map.copyOf(passwordDigests);
    }

    public static SocksCredentials load(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(
                    file.toString(),
                    List.of("socks-auth: " + file + " (expected: a readable file of user:password lines)"));
        }
        return parse(lines, file.toString());
    }

    static SocksCredentials parse(List<String> lines, String source) throws ConfigException {
        ConfigErrors errors = new ConfigErrors();
        Map<String, byte[]> users = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String where = "socks-auth line " + (i + 1);
            int colon = line.indexOf(':');
            if (colon <= 0) {
                errors.add(where, "(hidden)", "user:password");
                continue;
            }
            String user = line.substring(0, colon);
            String password = line.substring(colon + 1);
            if (!errors.check(
                    fits(user) && fits(password),
                    where,
                    "(hidden)",
                    "user and password of 1-" + MAX_FIELD_BYTES + " bytes each (RFC 1929)")) {
                continue;
            }
            errors.check(users.putIfAbsent(user, sha256(password)) == null, where, "(hidden)", "each user once");
        }
        errors.check(!users.isEmpty() || !errors.isEmpty(), "socks-auth", "no users", "at least one user:password");
        errors.throwIfAny(source);
        return new SocksCredentials(users);
    }

    private static boolean fits(String s) {
        int n = s.getBytes(StandardCharsets.UTF_8).length;
        return n >= 1 && n <= MAX_FIELD_BYTES;
    }

    /** Whether {@code user} exists and {@code password} is its password; same work either way. */
    public boolean matches(String user, String password) {
        byte[] expected = passwordDigests.get(user);
        boolean equal = MessageDigest.isEqual(expected == null ? NO_USER : expected, sha256(password));
        return expected != null && equal;
    }

    public int users() {
        return passwordDigests.size();
    }

    @Override
    public String toString() {
        return "SocksCredentials[" + passwordDigests.size() + " user(s)]";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
