package org.masquerelay.protocol.status;

/**
 * The one error type of the relays (in the manner of Pingora's error): an RFC 9209 error type,
 * the side that caused it and an optional detail. {@link org.masquerelay.protocol.tunnel.ErrorResponder}
 * turns it into a status and a {@code proxy-status} field.
 *
 * <p>{@code details} goes on the wire: it must never contain anything the peer must not learn
 * (at the ingress: no target; at the egress: no client address) nor echo more than the peer sent.
 */
public final class RelayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Who is at fault, which decides the log level: peers at DEBUG, ourselves at ERROR. */
    public enum Side { DOWNSTREAM, UPSTREAM, INTERNAL }

    private final transient ProxyErrorType type;
    private final Side side;
    private final String details;

    public RelayException(ProxyErrorType type, Side side, String details) {
        this(type, side, details, null);
    }

    public RelayException(ProxyErrorType type, Side side, String details, Throwable cause) {
        super(type.token() + (details == null ? "" : ": " + details), cause, false, false);
        this.type = type;
        this.side = side;
        this.details = details;
    }

    public ProxyErrorType type() {
        return type;
    }

    public Side side() {
        return side;
    }

    public String details() {
        return details;
    }

    public int status() {
        return type.status();
    }
}
