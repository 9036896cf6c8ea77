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
package org.masquerelay.protocol.quicproxy;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.masquerelay.protocol.sfv.StructuredFieldParser;

/**
 * The {@code Proxy-QUIC-Forwarding} field (draft-ietf-masque-quic-proxy §4): an sf-boolean item
 * with the parameters {@code accept-transform} (request), {@code transform} (response) and {@code
 * scramble-key} (both; each side's own key, used by that side to encode).
 *
 * @param enabled the item's boolean
 * @param acceptTransforms the client's transforms in its order of preference (request only)
 * @param transform the proxy's choice (response only)
 * @param scrambleKey the sender's 32-byte key for the scramble transform, if it sent one
 */
public record ProxyQuicForwarding(
        boolean enabled, List<String> acceptTransforms, Optional<String> transform, Optional<byte[]> scrambleKey) {
    /** The field name, lower case as HTTP/3 requires (RFC 9114 §4.2). */
    public static final String FIELD = "proxy-quic-forwarding";

    public ProxyQuicForwarding {
        acceptTransforms = List.copyOf(acceptTransforms);
    }

    /** A client's offer: forwarding on, {@code transforms} in order of preference. */
    public static ProxyQuicForwarding offer(List<String> transforms, byte[] scrambleKey) {
        return new ProxyQuicForwarding(true, transforms, Optional.empty(), Optional.of(scrambleKey));
    }

    /** A proxy's acceptance of {@code transform}, with its own key. */
    public static ProxyQuicForwarding accept(String transform, byte[] scrambleKey) {
        return new ProxyQuicForwarding(true, List.of(), Optional.of(transform), Optional.of(scrambleKey));
    }

    /**
     * Parses a field value. Parameters this project does not know are ignored (RFC 8941 §2.2); the
     * caller applies the draft's rules for what is missing.
     *
     * @throws MalformedQuicProxyException if the value is not an sf-boolean item, or a known
     *     parameter has the wrong type
     */
    public static ProxyQuicForwarding parse(String value) {
        List<String> accept = new ArrayList<>();
        String[] transform = new String[1];
        byte[][] key = new byte[1][];
        StructuredFieldParser p = new StructuredFieldParser(FIELD, value, MalformedQuicProxyException::new);
        Object item = p.parseItem((name, v) -> {
            switch (name) {
                case "accept-transform" -> {
                    if (!(v instanceof String s)) {
                        throw p.fail("accept-transform must be a string");
                    }
                    accept.clear();
                    for (String t : s.split(",", -1)) {
                        String name1 = t.strip().toLowerCase(Locale.ROOT);
                        if (!name1.isEmpty()) {
                            accept.add(name1);
                        }
                    }
                }
                case "transform" -> {
                    if (!(v instanceof String s)) {
                        throw p.fail("transform must be a string");
                    }
                    transform[0] = s.strip().toLowerCase(Locale.ROOT);
                }
                case "scramble-key" -> {
                    if (!(v instanceof byte[] b)) {
                        throw p.fail("scramble-key must be a byte sequence");
                    }
                    key[0] = b;
                }
                default -> {
                    // RFC 8941 §2.2: unknown parameters are ignored.
                }
            }
        });
        if (!(item instanceof Boolean enabled)) {
            throw new MalformedQuicProxyException(FIELD + ": expected ?0 or ?1");
        }
        return new ProxyQuicForwarding(enabled, accept, Optional.ofNullable(transform[0]), Optional.ofNullable(key[0]));
    }

    /** The field value, e.g. {@code ?1; transform="scramble-dt"; scramble-key=:…:}. */
    public String toFieldValue() {
        StringBuilder b = new StringBuilder(enabled ? "?1" : "?0");
        if (!acceptTransforms.isEmpty()) {
            b.append("; accept-transform=\"")
                    .append(String.join(",", acceptTransforms))
                    .append('"');
        }
        transform.ifPresent(t -> b.append("; transform=\"").append(t).append('"'));
        scrambleKey.ifPresent(k -> b.append("; scramble-key=:")
                .append(Base64.getEncoder().encodeToString(k))
                .append(':'));
        return b.toString();
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "ProxyQuicForwarding[enabled=" + enabled + ", accept=" + acceptTransforms + ", transform="
                + transform.orElse("-") + ", key=" + (scrambleKey.isPresent() ? "present" : "absent") + "]";
    }
}
