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

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Relays bytes between a TCP socket and an HTTP/3 CONNECT stream after its 2xx (RFC 9114 §4.4):
 * DATA frames one way, socket reads the other, FIN mapped to TCP half-close both ways, and a
 * broken TCP connection mapped to a stream reset with H3_CONNECT_ERROR.
 *
 * <p>Backpressure follows Netty's HexDumpProxy: both channels run with AUTO_READ off and a side
 * reads again only while the bytes it wrote to the other side and that are not yet accepted
 * stay under {@link #HIGH_WATER}. A QUIC stream write completes when quiche accepted the data
 * within flow control, so a slow reader at either end stalls the other end instead of growing
 * buffers. The two channels may live on different event loops (the egress dials TCP with NIO to
 * avoid Netty's epoll half-close bug, docs/netty.md trap 7); all shared state is atomic.
 */
public final class ByteStreamRelay {
    /** Bytes in flight per direction before the reading side pauses. */
    public static final long HIGH_WATER = 1 << 20;

    private static final long LOW_WATER = HIGH_WATER / 2;

    /**
     * Told when the stream stops being read because the socket has not accepted {@link #HIGH_WATER}
     * bytes, and when it is read again; called on either channel's event loop, so a listener reads
     * the current state with {@link #streamReadPaused()} instead of trusting the order of calls.
     */
    @FunctionalInterface
    public interface PauseListener {
        PauseListener NONE = relay -> {};

        void pauseChanged(ByteStreamRelay relay);
    }

    private final QuicStreamChannel stream;
    private final Channel socket;
    private final TunnelMetrics metrics;
    private final Direction up;
    private final Direction down;

    private ByteStreamRelay(QuicStreamChannel stream, Channel socket, TunnelMetrics metrics, PauseListener onPause) {
        this.stream = stream;
        this.socket = socket;
        this.metrics = metrics;
        this.up = new Direction(stream, socket, () -> onPause.pauseChanged(this));
        this.down = new Direction(socket, stream, () -> {});
    }

    /**
     * Starts relaying. Replaces {@code streamHandlerName} on the stream's pipeline (the request
     * handler) and appends a handler to the socket's pipeline. Both channels must be active.
     */
    public static ByteStreamRelay start(
            QuicStreamChannel stream, @Nullable String streamHandlerName, Channel socket, TunnelMetrics metrics) {
        return start(stream, streamHandlerName, socket, metrics, PauseListener.NONE);
    }

    /** As {@link #start(QuicStreamChannel, String, Channel, TunnelMetrics)}, telling {@code onPause} of pauses. */
    public static ByteStreamRelay start(
            QuicStreamChannel stream,
            @Nullable String streamHandlerName,
            Channel socket,
            TunnelMetrics metrics,
            PauseListener onPause) {
        ByteStreamRelay relay = new ByteStreamRelay(stream, socket, metrics, onPause);
        stream.config().setAutoRead(false);
        socket.config().setAutoRead(false);
        socket.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        if (streamHandlerName == null) {
            stream.pipeline().addLast("relay", relay.new StreamSide());
        } else {
            stream.pipeline().replace(streamHandlerName, "relay", relay.new StreamSide());
        }
        socket.pipeline().addLast("relay", relay.new SocketSide());
        stream.closeFuture().addListener(f -> relay.streamClosed());
        socket.closeFuture().addListener(f -> relay.socketClosed());
        stream.read();
        socket.read();
        return relay;
    }

    /** The stream this relay reads from and writes to. */
    public QuicStreamChannel stream() {
        return stream;
    }

    /**
     * Whether the stream is not being read because the socket is behind: what the peer sends
     * meanwhile waits in the QUIC stack, up to the stream's flow-control window.
     */
    public boolean streamReadPaused() {
        return up.paused.get();
    }

    /**
     * Ends the flow as failed: resets the stream both ways (STOP_SENDING and RESET_STREAM with
     * {@code code}, RFC 9000 §3.5) and the TCP connection with an RST.
     */
    public void abort(Http3ErrorCode code) {
        stream.shutdown(code.code()).addListener(f -> stream.close());
        abortSocket();
    }

    /** One direction: reads from {@code source}, writes to {@code sink}. */
    private static final class Direction {
        final Channel source;
        final Channel sink;
        final AtomicLong inFlight = new AtomicLong();
        final AtomicBoolean paused = new AtomicBoolean();
        final AtomicBoolean finished = new AtomicBoolean();
        final Runnable pauseChanged;
        volatile @Nullable ChannelFuture lastWrite;

        Direction(Channel source, Channel sink, Runnable pauseChanged) {
            this.source = source;
            this.sink = sink;
            this.pauseChanged = pauseChanged;
        }

        void write(Object msg, int bytes) {
            inFlight.addAndGet(bytes);
            ChannelFuture f = sink.write(msg);
            lastWrite = f;
            f.addListener(x -> {
                long now = inFlight.addAndGet(-bytes);
                if (!x.isSuccess()) {
                    source.close();
                    return;
                }
                if (now < LOW_WATER && paused.compareAndSet(true, false)) {
                    pauseChanged.run();
                    source.read();
                }
            });
        }

        /** After a read batch: flush and read more unless the sink is behind. */
        void readComplete() {
            sink.flush();
            if (inFlight.get() < HIGH_WATER) {
                source.read();
            } else {
                paused.set(true);
                pauseChanged.run();
                // Re-check: the last completion may have raced past us before the flag was set.
                if (inFlight.get() < LOW_WATER && paused.compareAndSet(true, false)) {
                    pauseChanged.run();
                    source.read();
                }
            }
        }

        ChannelFuture drained() {
            ChannelFuture f = lastWrite;
            return f == null ? sink.newSucceededFuture() : f;
        }
    }

    private final class StreamSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http3DataFrame frame) {
                ByteBuf content = frame.content();
                int n = content.readableBytes();
                metrics.bytesFromPeer(n);
                up.write(content, n);
            } else {
                ReferenceCountUtil.release(msg); // trailers carry nothing for a byte stream
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            up.readComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE && up.finished.compareAndSet(false, true)) {
                // Peer's FIN: half-close the TCP connection once everything before it is written.
                up.drained().addListener(f -> {
                    if (socket instanceof DuplexChannel d && d.isActive()) {
                        d.shutdownOutput();
                    }
                    closeIfDone();
                });
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Stream reset by the peer or connection loss: abort the TCP side too.
            abortSocket();
        }
    }

    private final class SocketSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                int n = buf.readableBytes();
                metrics.bytesToPeer(n);
                down.write(new DefaultHttp3DataFrame(buf), n);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            down.readComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE && down.finished.compareAndSet(false, true)) {
                // FIN from the last write's listener, never before it (docs/netty.md trap 1).
                down.drained().addListener(f -> stream.shutdownOutput().addListener(g -> closeIfDone()));
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void closeIfDone() {
        if (up.finished.get() && down.finished.get()) {
            socket.close();
            stream.close();
        }
    }

    private void socketClosed() {
        if (!down.finished.get()) {
            // The TCP connection broke before its FIN: tell the peer (RFC 9114 §4.4).
            stream.shutdown(Http3ErrorCode.H3_CONNECT_ERROR.code()).addListener(f -> stream.close());
        } else {
            down.drained().addListener(f -> stream.close());
        }
    }

    private void streamClosed() {
        if (!up.finished.get()) {
            abortSocket();
        } else {
            up.drained().addListener(f -> socket.close());
        }
    }

    private void abortSocket() {
        if (socket.isActive()) {
            socket.config().setOption(ChannelOption.SO_LINGER, 0); // RST, not FIN: the flow failed
            socket.close();
        }
    }
}
