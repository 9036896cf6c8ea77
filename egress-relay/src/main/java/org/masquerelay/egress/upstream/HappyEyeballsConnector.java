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

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.status.ProxyErrorType;
import org.masquerelay.protocol.status.RelayException;
import org.masquerelay.protocol.status.RelayException.Side;

/**
 * TCP connection racing per Happy Eyeballs v2 (RFC 8305 §5): attempts start in the order given
 * (already interleaved by family), each {@link #ATTEMPT_DELAY} after the previous one or at
 * once when the previous one failed; the first to connect wins and the rest are closed.
 *
 * <p>Sockets are NIO, not epoll: Netty's epoll transport fails writes after the peer's FIN when
 * half-closure is allowed (docs/netty.md trap 7), and a CONNECT tunnel must support half-close.
 * Everything here runs on the given NIO event loop.
 */
public final class HappyEyeballsConnector {
    /** RFC 8305 §8 recommends 250 ms as the Connection Attempt Delay. */
    public static final Duration ATTEMPT_DELAY = Duration.ofMillis(250);

    /**
     * Starts one connection attempt. The connector's only contact with sockets, so a test can
     * race attempts it completes by hand on an embedded event loop.
     */
    @FunctionalInterface
    interface Dialer {
        /** Dials {@code remote} from {@code local}, or from an address the OS picks when empty. */
        ChannelFuture dial(EventLoop loop, InetSocketAddress remote, Optional<InetSocketAddress> local);
    }

    private final Duration timeout;
    private final Dialer dialer;

    public HappyEyeballsConnector(Duration timeout) {
        this(timeout, (loop, remote, local) -> nioConnect(loop, remote, local, timeout));
    }

    /** With {@code dialer} in place of NIO sockets; for tests. */
    HappyEyeballsConnector(Duration timeout, Dialer dialer) {
        this.timeout = timeout;
        this.dialer = dialer;
    }

    private static ChannelFuture nioConnect(
            EventLoop loop, InetSocketAddress remote, Optional<InetSocketAddress> local, Duration timeout) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInboundHandlerAdapter());
        return local.isPresent() ? b.connect(remote, local.get()) : b.connect(remote);
    }

    /**
     * @param source picks the local address per target: (target, ipv6) → address to bind, or
     *     empty to let the OS choose
     */
    public Future<Channel> connect(
            EventLoop loop,
            List<InetAddress> addresses,
            int port,
            BiFunction<InetAddress, Boolean, Optional<InetAddress>> source) {
        Promise<Channel> result = loop.newPromise();
        loop.execute(() -> new Race(loop, addresses, port, source, result).start());
        return result;
    }

    private final class Race {
        final EventLoop loop;
        final List<InetAddress> addresses;
        final int port;
        final BiFunction<InetAddress, Boolean, Optional<InetAddress>> source;
        final Promise<Channel> result;
        final List<ChannelFuture> attempts = new ArrayList<>();
        int next;
        int failed;

        @Nullable
        Throwable lastCause;

        @Nullable
        ScheduledFuture<?> delayTimer;

        @Nullable
        ScheduledFuture<?> deadline;

        Race(
                EventLoop loop,
                List<InetAddress> addresses,
                int port,
                BiFunction<InetAddress, Boolean, Optional<InetAddress>> source,
                Promise<Channel> result) {
            this.loop = loop;
            this.addresses = addresses;
            this.port = port;
            this.source = source;
            this.result = result;
        }

        void start() {
            deadline = loop.schedule(
                    () -> fail(new ConnectTimeoutException("connect timed out")),
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            attemptNext();
        }

        void attemptNext() {
            if (result.isDone() || next >= addresses.size()) {
                return;
            }
            InetAddress target = addresses.get(next++);
            Optional<InetAddress> local = source.apply(target, target.getAddress().length == 16);
            ChannelFuture f =
                    dialer.dial(loop, new InetSocketAddress(target, port), local.map(a -> new InetSocketAddress(a, 0)));
            attempts.add(f);
            f.addListener(x -> onAttemptDone(f));
            if (next < addresses.size()) {
                delayTimer = loop.schedule(this::attemptNext, ATTEMPT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        void onAttemptDone(ChannelFuture f) {
            if (f.isSuccess()) {
                if (result.trySuccess(f.channel())) {
                    cleanup(f);
                } else {
                    f.channel().close();
                }
                return;
            }
            failed++;
            lastCause = f.cause();
            if (result.isDone()) {
                return;
            }
            if (failed == addresses.size()) {
                fail(lastCause);
            } else {
                // RFC 8305 §5: a failed attempt starts the next one without waiting.
                if (delayTimer != null) {
                    delayTimer.cancel(false);
                }
                attemptNext();
            }
        }

        void fail(Throwable cause) {
            if (result.tryFailure(map(cause))) {
                cleanup(null);
            }
        }

        void cleanup(@Nullable ChannelFuture winner) {
            if (delayTimer != null) {
                delayTimer.cancel(false);
            }
            if (deadline != null) {
                deadline.cancel(false);
            }
            for (ChannelFuture a : attempts) {
                if (a != winner) {
                    a.cancel(false);
                    a.channel().close();
                }
            }
        }
    }

    static RelayException map(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return new RelayException(ProxyErrorType.CONNECTION_TIMEOUT, Side.UPSTREAM, null, cause);
        }
        if (cause instanceof NoRouteToHostException) {
            return new RelayException(ProxyErrorType.DESTINATION_IP_UNROUTABLE, Side.UPSTREAM, null, cause);
        }
        if (cause instanceof ConnectException) {
            String m = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("unreachable")) {
                return new RelayException(ProxyErrorType.DESTINATION_IP_UNROUTABLE, Side.UPSTREAM, null, cause);
            }
            return new RelayException(ProxyErrorType.CONNECTION_REFUSED, Side.UPSTREAM, null, cause);
        }
        return new RelayException(ProxyErrorType.CONNECTION_REFUSED, Side.UPSTREAM, null, cause);
    }
}
