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
package org.masquerelay.egress.config;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.config.ConfigErrors;

/**
 * Destination policy. Loopback, private, link-local, multicast, CGNAT, documentation and the
 * relays' own addresses are refused by default; {@code allow} admits explicit exceptions (test
 * origins on loopback, an internal service the operator means to expose), each a CIDR prefix,
 * optionally with ports ({@link AllowedDestination}). No entry admits a relay listener, and only
 * an entry with ports admits an address the relays own.
 */
public record DestinationsConfig(@Nullable List<String> allow) {
    public void validate(String path, ConfigErrors errors) {
        errors.parseEach(path + ".allow", allow, AllowedDestination::parse, AllowedDestination.SYNTAX);
    }

    public List<AllowedDestination> allowList() {
        return allow == null
                ? List.of()
                : allow.stream().map(AllowedDestination::parse).toList();
    }
}
