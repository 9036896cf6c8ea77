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
package org.masquerelay.egress.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;

/**
 * Happy Eyeballs v2 (RFC 8305) without sockets: the race runs on an embedded event loop whose
 * clock only moves when the test says so, and each attempt is a promise the test completes.
 */
class HappyEyeballsConnectorTest {

    private static final int PORT = 443;
    private static final long DELAY = HappyEyeballsConnector.ATTEMPT_DELAY.toMillis();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final BiFunction<InetAddress, Boolean, Optional<InetAddress>> OS_CHOOSES =
            (target, v6) -> Optional.empty();

    private static final InetAddress V6A = ip("2001:db8::a");
    private static final InetAddress V6B = ip("2001:db8::b");
    private static final InetAddress V4A = ip("192.0.2.10");
    private static final InetAddress V4B = ip("192.0.2.11");

    /** One connection attempt the connector started. */
    record Attempt(
            InetSocketAddress remote, Optional<InetSocketAddress> local, ChannelPromise promise, long startedAt) {
        Channel channel() {
            return promise.channel();
        }
    }

    /** Its event loop runs the race; its frozen clock moves only by {@link #advance}. */
    private final EmbeddedChannel loop = new EmbeddedChannel();

    private final List<Attempt> attempts = new ArrayList<>();
    private long now;

    private final HappyEyeballsConnector.Dialer dialer = (eventLoop, remote, local) -> {
        assertThat(eventLoop).isSameAs(loop.eventLoop());
        ChannelPromise promise = new EmbeddedChannel().newPromise();
        attempts.add(new Attempt(remote, local, promise, now));
        return promise;
    };

    @BeforeEach
    void freeze() {
        loop.freezeTime();
    }

    @AfterEach
    void close() {
        attempts.forEach(a -> a.channel().close());
        assertThat(loop.finishAndReleaseAll()).isFalse();
    }

    private Future<Channel> race(Duration timeout, List<InetAddress> addresses) {
        return race(timeout, addresses, OS_CHOOSES);
    }

    private Future<Channel> race(
            Duration timeout,
            List<InetAddress> addresses,
            BiFunction<InetAddress, Boolean, Optional<InetAddress>> source) {
        Future<Channel> result =
                new HappyEyeballsConnector(timeout, dialer).connect(loop.eventLoop(), addresses, PORT, source);
        loop.runPendingTasks(); // connect() hands the race to the loop
        return result;
    }

    /** Moves the clock and runs what fell due; a task scheduled meanwhile counts from the new time. */
    private void advance(long millis) {
        now += millis;
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runPendingTasks();
    }

    private void advanceByDelays(int delays) {
        for (int i = 0; i < delays; i++) {
            advance(DELAY);
        }
    }

    private List<InetAddress> dialled() {
        return attempts.stream().map(a -> a.remote().getAddress()).toList();
    }

    private List<Long> startTimes() {
        return attempts.stream().map(Attempt::startedAt).toList();
    }

    @Test
    void attemptsStartInTheGivenOrderOneConnectionAttemptDelayApart() {
        race(TIMEOUT, List.of(V6A, V4A, V6B, V4B));

        assertThat(dialled()).containsExactly(V6A);
        advance(DELAY - 1);
        assertThat(attempts).hasSize(1);
        advance(1);
        assertThat(dialled()).containsExactly(V6A, V4A);
        advanceByDelays(12);

        assertThat(dialled()).containsExactly(V6A, V4A, V6B, V4B);
        assertThat(startTimes()).containsExactly(0L, DELAY, 2 * DELAY, 3 * DELAY);
        assertThat(attempts).allSatisfy(a -> assertThat(a.remote().getPort()).isEqualTo(PORT));
    }

    @Test
    void resolvedAddressesAreDialledInterleavedIpv6First() {
        // RFC 8305 §4: the resolver's answer is reordered by family, IPv6 first, before the race.
        List<InetAddress> resolved = List.of(V4A, V4B, ip("192.0.2.12"), V6A, V6B);

        List<InetAddress> order = TargetResolver.interleave(resolved);
        race(TIMEOUT, order);
        advanceByDelays(10);

        assertThat(order).containsExactly(V6A, V4A, V6B, V4B, ip("192.0.2.12"));
        assertThat(dialled()).containsExactlyElementsOf(order);
    }

    @Test
    void interleavingKeepsTheOrderWithinEachFamily() {
        assertThat(TargetResolver.interleave(List.of(V4B, V4A))).containsExactly(V4B, V4A);
        assertThat(TargetResolver.interleave(List.of(V6B, V6A))).containsExactly(V6B, V6A);
        assertThat(TargetResolver.interleave(List.of(V6A, V6B, V4A))).containsExactly(V6A, V4A, V6B);
        assertThat(TargetResolver.interleave(List.of())).isEmpty();
    }

    @Test
    void theFirstToConnectWinsAndTheOthersAreAbandoned() {
        Future<Channel> result = race(TIMEOUT, List.of(V6A, V4A, V6B, V4B));
        advanceByDelays(2);
        assertThat(attempts).hasSize(3);

        attempts.get(1).promise().setSuccess();

        assertThat(result.isSuccess()).isTrue();
        assertThat(result.getNow()).isSameAs(attempts.get(1).channel());
        assertThat(attempts.get(1).channel().isOpen()).isTrue();
        for (int i : new int[] {0, 2}) {
            assertThat(attempts.get(i).promise().isCancelled()).isTrue();
            assertThat(attempts.get(i).channel().isOpen()).isFalse();
        }
        // No fourth attempt, and the deadline no longer applies.
        advance(TIMEOUT.toMillis() * 2);
        assertThat(attempts).hasSize(3);
        assertThat(result.isSuccess()).isTrue();
        assertThat(attempts.get(1).channel().isOpen()).isTrue();
    }

    @Test
    void aFailedAttemptStartsTheNextOneWithoutWaiting() {
        race(TIMEOUT, List.of(V6A, V4A, V6B));
        advance(100);

        // RFC 8305 §5: the next attempt starts when the previous one fails, not at the delay.
        attempts.get(0).promise().setFailure(new ConnectException("Connection refused"));

        assertThat(startTimes()).containsExactly(0L, 100L);
        advance(DELAY - 1); // the old timer, due at 250, was cancelled
        assertThat(attempts).hasSize(2);
        advance(1);
        assertThat(startTimes()).containsExactly(0L, 100L, 100 + DELAY);
    }

    @Test
    void whenEveryAttemptFailsTheRaceFailsWithTheLastCause() {
        Future<Channel> result = race(TIMEOUT, List.of(V6A, V4A));

        attempts.get(0).promise().setFailure(new ConnectException("Connection refused"));
        assertThat(result.isDone()).isFalse();
        attempts.get(1).promise().setFailure(new NoRouteToHostException("No route to host"));

        assertThat(result.cause()).isInstanceOfSatisfying(RelayException.class, e -> {
            assertThat(e.type()).isEqualTo(ProxyErrorType.DESTINATION_IP_UNROUTABLE);
            assertThat(e.side()).isEqualTo(Side.UPSTREAM);
            assertThat(e.getCause()).isInstanceOf(NoRouteToHostException.class);
        });
    }

    @Test
    void theDeadlineEndsTheRaceAndAbandonsEveryAttempt() {
        Future<Channel> result = race(Duration.ofSeconds(1), List.of(V6A, V4A));
        advance(DELAY);
        assertThat(attempts).hasSize(2);

        advance(1000 - DELAY - 1);
        assertThat(result.isDone()).isFalse();
        advance(1);

        assertThat(result.cause())
                .isInstanceOfSatisfying(
                        RelayException.class, e -> assertThat(e.type()).isEqualTo(ProxyErrorType.CONNECTION_TIMEOUT));
        assertThat(attempts).allSatisfy(a -> {
            assertThat(a.promise().isCancelled()).isTrue();
            assertThat(a.channel().isOpen()).isFalse();
        });
    }

    @Test
    void eachAttemptBindsTheSourceAddressForItsFamily() {
        InetAddress source6 = ip("2001:db8:ff::1");
        List<String> asked = new ArrayList<>();

        race(TIMEOUT, List.of(V6A, V4A), (target, v6) -> {
            asked.add(target.getHostAddress() + " " + v6);
            return v6 ? Optional.of(source6) : Optional.empty();
        });
        advance(DELAY);

        assertThat(asked).containsExactly(V6A.getHostAddress() + " true", V4A.getHostAddress() + " false");
        assertThat(attempts.get(0).local()).contains(new InetSocketAddress(source6, 0));
        assertThat(attempts.get(1).local()).isEmpty();
    }

    @Test
    void failuresMapToProxyStatusErrors() {
        assertThat(HappyEyeballsConnector.map(new ConnectTimeoutException("connect timed out"))
                        .type())
                .isEqualTo(ProxyErrorType.CONNECTION_TIMEOUT);
        assertThat(HappyEyeballsConnector.map(new NoRouteToHostException()).type())
                .isEqualTo(ProxyErrorType.DESTINATION_IP_UNROUTABLE);
        assertThat(HappyEyeballsConnector.map(new ConnectException("Network is unreachable"))
                        .type())
                .isEqualTo(ProxyErrorType.DESTINATION_IP_UNROUTABLE);
        assertThat(HappyEyeballsConnector.map(new ConnectException("Connection refused"))
                        .type())
                .isEqualTo(ProxyErrorType.CONNECTION_REFUSED);
        assertThat(HappyEyeballsConnector.map(new IOException("reset")).type())
                .isEqualTo(ProxyErrorType.CONNECTION_REFUSED);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByAddress(IpPrefix.parseLiteral(literal));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
