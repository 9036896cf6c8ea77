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
package org.masquerelay.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * QUIC address validation with Retry (RFC 9000 §8.1.2), applied when a listener is under
 * pressure, in the manner of servers that face the open Internet.
 *
 * <p>A server that admits a connection at the client's first Initial lets anyone fill its limits
 * with packets from spoofed source addresses: a few dozen lock one address out at the
 * per-address limit, a few thousand fill the whole relay. With this handler the server answers
 * an Initial without a token with a Retry carrying a token bound to the sender's address and
 * port, the original destination connection id and an expiry, authenticated with HMAC-SHA256
 * under a key that never leaves the process. Only a sender that receives the Retry can echo the
 * token, so connections whose address is not validated cannot pile up. A Retry costs a client one
 * round trip, so it is asked for only when
 *
 * <ul>
 *   <li>the sender's address already holds {@link #PER_ADDRESS_THRESHOLD} connections, or half its
 *       per-address limit if that is less, or
 *   <li>the listener holds at least half of its {@code maxConnections}, or
 *   <li>the handshake budget is spent: at most {@code handshakesPerSecond} connections a second
 *       (with a burst of one second's worth) are admitted without a validated address. Each of
 *       them costs a TLS handshake (a signature) and state until it times out, so an attacker
 *       who sends Initials from spoofed addresses, each from a new one, gets at most that many;
 *       past the budget every sender gets a Retry, which costs the relay one MAC and costs a
 *       real client one round trip, and the cores stay with the connections already open.
 * </ul>
 *
 * <p>Tokens from NEW_TOKEN frames are not issued; an invalid or expired token drops the packet,
 * as RFC 9000 §8.1.3 allows, and is counted.
 */
public final class AddressValidation implements QuicTokenHandler {
    /** Connections from one address from which new ones must validate the address (at most). */
    public static final int PER_ADDRESS_THRESHOLD = 4;

    /** How long a Retry token is good for (RFC 9000 §8.1.3: short-lived). */
    static final long LIFETIME_SECONDS = 10;

    private static final byte VERSION = 1;
    private static final int MAC_BYTES = 16;
    private static final int HEADER = 1 + Long.BYTES + MAC_BYTES;
    /** Longest connection id (RFC 9000 §17.2). */
    private static final int MAX_CID = 20;

    private final SecretKeySpec key;
    private final ToIntFunction<InetAddress> connectionsFrom;
    private final IntSupplier connections;
    private final int maxConnections;
    private final int perAddressThreshold;
    private final Clock clock;
    private final long handshakeIntervalNanos;
    private final long handshakeBurstNanos;
    private final LongSupplier nanoTime;
    /** The budget's theoretical arrival time (GCRA, ITU-T I.371): when it is next all spent. */
    private final AtomicLong budgetAt;

    private final ThreadLocal<Mac> mac;
    private final LongAdder retries = new LongAdder();
    private final LongAdder invalid = new LongAdder();
    private final LongAdder budgetSpent = new LongAdder();

    /**
     * @param connectionsFrom open connections from an address (including those still in their
     *     handshake)
     * @param connections open connections in all
     */
    public AddressValidation(
            ToIntFunction<InetAddress> connectionsFrom,
            IntSupplier connections,
            int maxConnections,
            int maxConnectionsPerAddress,
            Clock clock) {
        this(
                connectionsFrom,
                connections,
                maxConnections,
                maxConnectionsPerAddress,
                Integer.MAX_VALUE,
                clock,
                System::nanoTime);
    }

    /**
     * @param handshakesPerSecond connections admitted without a Retry per second, at most (a
     *     second's worth at once); {@link Integer#MAX_VALUE} for no budget
     * @param nanoTime the monotonic clock the budget runs on
     */
    public AddressValidation(
            ToIntFunction<InetAddress> connectionsFrom,
            IntSupplier connections,
            int maxConnections,
            int maxConnectionsPerAddress,
            int handshakesPerSecond,
            Clock clock,
            LongSupplier nanoTime) {
        if (handshakesPerSecond < 1) {
            throw new IllegalArgumentException("handshakesPerSecond: " + handshakesPerSecond + " (expected: >= 1)");
        }
        this.handshakeIntervalNanos =
                handshakesPerSecond == Integer.MAX_VALUE ? 0 : 1_000_000_000L / handshakesPerSecond;
        this.handshakeBurstNanos = 1_000_000_000L;
        this.nanoTime = nanoTime;
        this.budgetAt = new AtomicLong(nanoTime.getAsLong());
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.connectionsFrom = connectionsFrom;
        this.connections = connections;
        this.maxConnections = maxConnections;
        this.perAddressThreshold = Math.min(PER_ADDRESS_THRESHOLD, maxConnectionsPerAddress / 2);
        this.clock = clock;
        this.mac = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Retry packets sent so far. */
    public long retries() {
        return retries.sum();
    }

    /** Initials dropped for a token that was forged, altered, expired or for another address. */
    public long invalidTokens() {
        return invalid.sum();
    }

    boolean underPressure(InetAddress sender) {
        return connectionsFrom.applyAsInt(sender) >= perAddressThreshold
                || connections.getAsInt() * 2L >= maxConnections
                || !takeHandshake();
    }

    /**
     * Takes one admission from the handshake budget, or answers false when it is spent. A generic
     * cell rate algorithm: each admission moves the budget's time on by one interval, and none is
     * given while that time runs more than the burst ahead of now. Lock-free: every socket's event
     * loop shares one budget.
     */
    private boolean takeHandshake() {
        if (handshakeIntervalNanos == 0) {
            return true;
        }
        long now = nanoTime.getAsLong();
        while (true) {
            long at = budgetAt.get();
            long next = Math.max(at, now) + handshakeIntervalNanos;
            if (next - now > handshakeBurstNanos) {
                budgetSpent.increment();
                return false;
            }
            if (budgetAt.compareAndSet(at, next)) {
                return true;
            }
        }
    }

    /** Retry packets sent because the handshake budget was spent (a part of {@link #retries()}). */
    public long budgetRetries() {
        return budgetSpent.sum();
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        if (!underPressure(address.getAddress())) {
            return false; // admitted at once, without a round trip
        }
        long expiry = clock.millis() / 1000 + LIFETIME_SECONDS;
        out.writeByte(VERSION);
        out.writeLong(expiry);
        out.writeBytes(tag(expiry, address, dcid, dcid.readerIndex(), dcid.readableBytes()));
        out.writeBytes(dcid, dcid.readerIndex(), dcid.readableBytes());
        retries.increment();
        return true;
    }

    /** The original connection id starts after the header (RFC 9000 §17.2.5: Retry). */
    @Override
    public TokenValidationResult validateToken(ByteBuf token, InetSocketAddress address, ByteBuf dcid) {
        int offset = validateToken(token, address);
        return offset < 0 ? TokenValidationResult.invalidToken() : TokenValidationResult.odcidFromToken(offset);
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        int start = token.readerIndex();
        int length = token.readableBytes();
        if (length < HEADER || length > HEADER + MAX_CID || token.getByte(start) != VERSION) {
            invalid.increment();
            return -1;
        }
        long expiry = token.getLong(start + 1);
        long now = clock.millis() / 1000;
        if (expiry < now || expiry > now + LIFETIME_SECONDS) {
            invalid.increment();
            return -1;
        }
        byte[] got = new byte[MAC_BYTES];
        token.getBytes(start + 1 + Long.BYTES, got);
        byte[] want = tag(expiry, address, token, start + HEADER, length - HEADER);
        if (!MessageDigest.isEqual(got, want)) {
            invalid.increment();
            return -1;
        }
        return start + HEADER;
    }

    @Override
    public int maxTokenLength() {
        return HEADER + MAX_CID;
    }

    /** HMAC over the expiry, the sender's address and port, and the original connection id. */
    private byte[] tag(long expiry, InetSocketAddress address, ByteBuf odcid, int offset, int length) {
        Mac m = mac.get();
        byte[] a = address.getAddress().getAddress();
        m.update((byte) a.length);
        m.update(a);
        m.update((byte) (address.getPort() >>> 8));
        m.update((byte) address.getPort());
        for (int shift = 56; shift >= 0; shift -= 8) {
            m.update((byte) (expiry >>> shift));
        }
        byte[] id = new byte[length];
        odcid.getBytes(offset, id);
        m.update(id);
        byte[] full = m.doFinal();
        byte[] out = new byte[MAC_BYTES];
        System.arraycopy(full, 0, out, 0, MAC_BYTES);
        return out;
    }
}
