package org.masquerelay.client;

/**
 * A relay refused a request: the HTTP status and the {@code proxy-status} field it sent, if any
 * (RFC 9209), so callers and the CLI can tell which hop said what.
 */
public final class ProxyResponseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String hop;
    private final int status;
    private final String proxyStatus;

    public ProxyResponseException(String hop, int status, String proxyStatus) {
        super(hop + " answered " + status + (proxyStatus == null ? "" : " (proxy-status: " + proxyStatus + ")"));
        this.hop = hop;
        this.status = status;
        this.proxyStatus = proxyStatus;
    }

    public String hop() {
        return hop;
    }

    public int status() {
        return status;
    }

    public String proxyStatus() {
        return proxyStatus;
    }
}
