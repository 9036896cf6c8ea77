package org.masquerelay.egress.upstream;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Chooses the local address the egress dials a target from. This is the seam where the city
 * pool plugs in (geo-ip-pool): the selection may depend on the inner connection (so one client
 * connection keeps one address) but never on anything that identifies the client.
 */
public interface SourceAddressSelector {
    /**
     * @param connectionKey a random key of the inner connection, stable for its life
     * @param ipv6 whether the target address is IPv6
     * @return the address to bind, empty to let the OS choose, or {@link #NO_ADDRESS} when this
     *     family must not be used at all
     */
    Optional<InetAddress> select(long connectionKey, boolean ipv6);

    /** Returned by {@link #select} when the configured pool has no address of that family. */
    Optional<InetAddress> NO_ADDRESS = Optional.empty();

    /** Whether {@code ipv6} targets can be dialled at all. */
    boolean supports(boolean ipv6);
}
