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
package org.masquerelay.pool;

import java.io.Closeable;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.masquerelay.config.ConfigException;
import org.masquerelay.config.IpPrefix;

/**
 * Where the ingress looks up a client address before asserting its coarse location (docs/architecture.md §4).
 * Implementations are immutable after loading and safe to call from every event loop.
 */
public interface GeoDatabase extends Closeable {
    /**
     * The location of {@code address}, or empty when the database has none (or lacks the
     * coordinates or country an assertion needs). An IPv4-mapped IPv6 address is looked up as
     * the IPv4 address it carries.
     */
    Optional<GeoLocation> lookup(InetAddress address);

    @Override
    default void close() {}

    /**
     * Opens {@code file} by its name: {@code .mmdb} is a MaxMind City database, anything else the
     * CSV format of {@link CsvGeoDatabase}.
     */
    static GeoDatabase open(Path file) throws ConfigException {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mmdb")
                ? MaxMindGeoDatabase.open(file)
                : CsvGeoDatabase.load(file);
    }

    /**
     * {@code address} as its IPv4 form if it is IPv4-mapped (RFC 4291 §2.5.5.2). The JDK already
     * does this for addresses it creates, but not for an {@link Inet6Address} built with a scope,
     * as some socket layers return them.
     */
    static InetAddress unmapped(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16 && IpPrefix.containing(address, 96).isIpv4Mapped()) {
            try {
                return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return address;
    }
}
