package org.masquerelay.pool;

import org.masquerelay.config.IpPrefix;
import java.io.Closeable;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.masquerelay.config.ConfigException;

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
    default void close() {
    }

    /**
     * Opens {@code file} by its name: {@code .mmdb} is a MaxMind City database, anything else the
     * CSV format of {@link CsvGeoDatabase}.
     */
    static GeoDatabase open(Path file) throws ConfigException {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mmdb")
                ? MaxMindGeoDatabase.open(file) : CsvGeoDatabase.load(file);
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
