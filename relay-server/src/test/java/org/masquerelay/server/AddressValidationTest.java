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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.quic.QuicTokenHandler.TokenValidationResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AddressValidationTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private final ByteBuf odcid = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    private final ByteBuf newDcid = Unpooled.wrappedBuffer(new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
    private final ByteBuf token = Unpooled.buffer();
    private final AtomicInteger fromClient = new AtomicInteger(AddressValidation.PER_ADDRESS_THRESHOLD);
    private final AtomicInteger total = new AtomicInteger(10);
    private Instant now = Instant.parse("2026-12-02T12:00:00Z");

    private final AddressValidation validation =
            new AddressValidation(a -> fromClient.get(), total::get, 100, 64, new Clock() {
                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now;
                }
            });

    @AfterEach
    void release() {
        odcid.release();
        newDcid.release();
        token.release();
    }

    @Test
    void aQuietListenerAdmitsWithoutARoundTrip() {
        fromClient.set(AddressValidation.PER_ADDRESS_THRESHOLD - 1);
        assertThat(validation.writeToken(token, odcid, CLIENT)).isFalse();
        assertThat(token.readableBytes()).isZero();
        assertThat(validation.retries()).isZero();
    }

    @Test
    void aBusyAddressOrAHalfFullListenerGetsARetry() {
        assertThat(validation.writeToken(token, odcid, CLIENT)).isTrue();
        fromClient.set(0);
        total.set(50);
        assertThat(validation.writeToken(Unpooled.buffer(), odcid, CLIENT)).isTrue();
        assertThat(validation.retries()).isEqualTo(2);
        assertThat(token.readableBytes()).isLessThanOrEqualTo(validation.maxTokenLength());
    }

    /**
     * The handshake budget: a second's worth at once, then one per interval; each sender past it
     * gets a Retry, whatever its address, and the budget refills with time.
     */
    @Test
    void pastTheHandshakeBudgetEveryNewSenderGetsARetryUntilItRefills() {
        AtomicLong nanos = new AtomicLong(5_000_000_000L);
        AddressValidation budgeted =
                new AddressValidation(a -> 0, () -> 0, 10_000, 64, 10, Clock.systemUTC(), nanos::get);
        for (int i = 0; i < 10; i++) {
            InetSocketAddress spoofed = new InetSocketAddress("127.77.0." + (i + 1), 5000);
            assertThat(budgeted.writeToken(token, odcid, spoofed))
                    .as("admission %d", i)
                    .isFalse();
        }
        ByteBuf retry = Unpooled.buffer();
        try {
            assertThat(budgeted.writeToken(retry, odcid, new InetSocketAddress("127.77.1.1", 5000)))
                    .isTrue();
            assertThat(retry.readableBytes()).isPositive();
            assertThat(budgeted.budgetRetries()).isEqualTo(1);
            assertThat(budgeted.retries()).isEqualTo(1);
            nanos.addAndGet(100_000_000L); // a tenth of a second: one more admission at 10/s
            assertThat(budgeted.writeToken(token, odcid, CLIENT)).isFalse();
            assertThat(budgeted.writeToken(retry.clear(), odcid, CLIENT)).isTrue();
            nanos.addAndGet(10_000_000_000L); // long quiet: the whole burst again, and no more
            for (int i = 0; i < 10; i++) {
                assertThat(budgeted.writeToken(token, odcid, CLIENT)).isFalse();
            }
            assertThat(budgeted.writeToken(retry.clear(), odcid, CLIENT)).isTrue();
            assertThat(budgeted.budgetRetries()).isEqualTo(3);
        } finally {
            retry.release();
        }
        assertThatThrownBy(() -> new AddressValidation(a -> 0, () -> 0, 1, 1, 0, Clock.systemUTC(), nanos::get))
                .hasMessage("handshakesPerSecond: 0 (expected: >= 1)");
    }

    @Test
    void itsOwnTokenFromTheSameAddressIsValidAndCarriesTheOriginalConnectionId() {
        validation.writeToken(token, odcid, CLIENT);
        TokenValidationResult r = validation.validateToken(token.slice(), CLIENT, newDcid);
        assertThat(r.isValid()).isTrue();
        int offset = validation.validateToken(token.slice(), CLIENT);
        byte[] carried = new byte[token.readableBytes() - offset];
        token.getBytes(token.readerIndex() + offset, carried);
        assertThat(carried).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void anotherAddressOrPortIsRefused() {
        validation.writeToken(token, odcid, CLIENT);
        assertThat(validation
                        .validateToken(token.slice(), new InetSocketAddress(CLIENT.getAddress(), 40001), newDcid)
                        .isValid())
                .isFalse();
        assertThat(validation.invalidTokens()).isEqualTo(1);
    }

    @Test
    void anExpiredOrAlteredTokenIsRefused() {
        validation.writeToken(token, odcid, CLIENT);
        now = now.plus(Duration.ofSeconds(AddressValidation.LIFETIME_SECONDS + 1));
        assertThat(validation.validateToken(token.slice(), CLIENT, newDcid).isValid())
                .isFalse();
        now = now.minus(Duration.ofSeconds(AddressValidation.LIFETIME_SECONDS + 1));
        ByteBuf altered = token.copy();
        altered.setByte(altered.writerIndex() - 1, 42); // another original connection id
        assertThat(validation.validateToken(altered.slice(), CLIENT, newDcid).isValid())
                .isFalse();
        altered.release();
        assertThat(validation
                        .validateToken(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), CLIENT, newDcid)
                        .isValid())
                .isFalse();
        assertThat(validation.invalidTokens()).isEqualTo(3);
    }
}
