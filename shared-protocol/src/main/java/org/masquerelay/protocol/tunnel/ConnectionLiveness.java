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
package org.masquerelay.protocol.tunnel;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http3.DefaultHttp3UnknownFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keep-alive and dead-peer detection for one HTTP/3 connection (docs/architecture.md, "Dead
 * hops").
 *
 * <p>QUIC alone notices a dead peer only when the idle timeout expires (RFC 9000 §10.1), 30 s
 * here, and Netty's QUIC API has no keep-alive PING. So every {@link #TICK} this watcher reads the
 * connection's received-packet count:
 *
 * <ul>
 *   <li>if a packet arrived since the last tick, the peer is alive;
 *   <li>once nothing has arrived for {@code quiet}, it writes a frame of a reserved type on our
 *       HTTP/3 control stream (RFC 9114 §7.2.8: the peer must ignore it). It rides in an
 *       ack-eliciting packet, which a live peer acknowledges within its max_ack_delay (RFC 9000
 *       §13.2.1), and that ACK counts as a received packet;
 *   <li>once nothing has arrived for the dead-peer timeout, the peer is declared dead and the
 *       connection is closed, so everything carried on it fails at once instead of hanging.
 * </ul>
 *
 * <p>The dead-peer timeout is {@code deadAfter}, raised on long paths to three probe timeouts
 * (RFC 9000 §6.2.1, PTO ≈ 2·RTT + max_ack_delay here, without the RTT variance Netty does not
 * report), so a slow but live path is not cut.
 *
 * <p>Silence counts only while this watcher runs on time. When a tick comes late (the event loop
 * or the whole process was held up: a busy machine, a long GC), packets may be waiting unread in
 * the socket, so the time beyond one tick is not counted as the peer's silence.
 */
public final class ConnectionLiveness {
    /** How often the connection's packet count is read. */
    static final Duration TICK = Duration.ofMillis(250);

    /** {@code max_ack_delay}'s default (RFC 9000 §18.2), part of the probe timeout. */
    private static final long MAX_ACK_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    /**
     * A reserved frame type (RFC 9114 §7.2.8: {@code 0x1f * N + 0x21}), N = 2: Netty's
     * {@code DefaultHttp3UnknownFrame} takes no type below 0x40.
     */
    static final long RESERVED_FRAME_TYPE = 0x1f * 2 + 0x21;

    private final QuicChannel channel;
    private final long quietNanos;
    private final long deadAfterNanos;
    private final Consumer<Duration> onDead;
    private long lastRecv = -1;
    private long lastHeardNanos;
    private long lastJudgedNanos;
    private long rttNanos;
    private @Nullable ScheduledFuture<?> task;

    private ConnectionLiveness(QuicChannel channel, Duration quiet, Duration deadAfter, Consumer<Duration> onDead) {
        this.channel = channel;
        this.quietNanos = quiet.toNanos();
        this.deadAfterNanos = deadAfter.toNanos();
        this.onDead = onDead;
    }

    /**
     * Watches {@code channel} until it closes. Call on or off its event loop.
     *
     * @param quiet silence after which a keep-alive frame is sent (and again every tick after)
     * @param deadAfter silence after which the peer is dead (raised to three PTOs on long paths)
     * @param onDead told how long the peer was silent, just before the connection is closed
     */
    public static void watch(QuicChannel channel, Duration quiet, Duration deadAfter, Consumer<Duration> onDead) {
        if (quiet.compareTo(deadAfter) >= 0) {
            throw new IllegalArgumentException(
                    "keep-alive after " + quiet + " must be shorter than dead-peer timeout " + deadAfter);
        }
        ConnectionLiveness watcher = new ConnectionLiveness(channel, quiet, deadAfter, onDead);
        channel.eventLoop().execute(watcher::start);
    }

    private void start() {
        if (!channel.isActive()) {
            return;
        }
        lastHeardNanos = System.nanoTime();
        lastJudgedNanos = lastHeardNanos;
        task = channel.eventLoop()
                .scheduleAtFixedRate(this::tick, TICK.toNanos(), TICK.toNanos(), TimeUnit.NANOSECONDS);
        channel.closeFuture().addListener(f -> cancel());
    }

    private void cancel() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void tick() {
        if (!channel.isActive()) {
            cancel();
            return;
        }
        channel.collectStats().addListener((Future<QuicConnectionStats> f) -> {
            if (f.isSuccess()) {
                judge(f.getNow().recv());
            }
        });
        channel.collectPathStats(0).addListener((Future<QuicConnectionPathStats> f) -> {
            if (f.isSuccess()) {
                rttNanos = f.getNow().rtt();
            }
        });
    }

    private void judge(long recv) {
        long now = System.nanoTime();
        long gap = now - lastJudgedNanos;
        lastJudgedNanos = now;
        if (gap > 2 * TICK.toNanos()) {
            lastHeardNanos = Math.min(now, lastHeardNanos + gap - TICK.toNanos()); // we were not looking
        }
        if (recv != lastRecv) {
            lastRecv = recv;
            lastHeardNanos = now;
            return;
        }
        long silent = now - lastHeardNanos;
        long pto = 2 * rttNanos + MAX_ACK_DELAY_NANOS;
        if (silent >= Math.max(deadAfterNanos, 3 * pto)) {
            cancel();
            onDead.accept(Duration.ofNanos(silent));
            channel.close();
        } else if (silent >= quietNanos) {
            sendKeepAlive();
        }
    }

    private void sendKeepAlive() {
        QuicStreamChannel control = Http3.getLocalControlStream(channel);
        if (control != null && control.isActive()) {
            control.writeAndFlush(new DefaultHttp3UnknownFrame(RESERVED_FRAME_TYPE, Unpooled.EMPTY_BUFFER));
        }
    }
}
