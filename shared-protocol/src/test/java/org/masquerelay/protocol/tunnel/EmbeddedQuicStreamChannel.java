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

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamAddress;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamChannelConfig;
import io.netty.handler.codec.quic.QuicStreamPriority;
import io.netty.handler.codec.quic.QuicStreamType;

/**
 * A socket-free {@link QuicStreamChannel} on an {@link EmbeddedQuicChannel}, in the manner of the
 * {@code EmbeddedQuicStreamChannel} of Netty's codec-http3 tests: inbound messages are what the
 * HTTP/3 codec would hand the request stream's handlers (frames), the outbound queue is what they
 * wrote.
 *
 * <p>{@code shutdown*(error)} records the error code, standing for RESET_STREAM / STOP_SENDING
 * (RFC 9000 §19.4, §19.5), and succeeds at once, as a local shutdown does in Netty. A FIN from
 * the peer is {@link #writeInboundFin()}. Like Netty's double it has its own embedded event loop
 * rather than the connection's; both report {@code inEventLoop()} true, which is what the
 * handlers check. Addresses are {@code null} for {@code toString()}; priority and
 * {@code isLocalCreated} throw {@link UnsupportedOperationException}.
 */
public final class EmbeddedQuicStreamChannel extends EmbeddedChannel implements QuicStreamChannel {
    private final long streamId;
    private QuicStreamChannelConfig config;
    private boolean allowHalfClosure;
    private boolean peerFinished;
    private Integer inputShutdownError;
    private Integer outputShutdownError;

    /** A stream of {@code parent} with no handlers yet; add them with {@code pipeline()}. */
    public EmbeddedQuicStreamChannel(EmbeddedQuicChannel parent, long streamId) {
        super(parent, DefaultChannelId.newInstance(), true, false);
        this.streamId = streamId;
    }

    /** The peer's FIN (RFC 9000 §19.8), as Netty reports it with half-closure allowed. */
    public void writeInboundFin() {
        peerFinished = true;
        pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
    }

    /** The error of our STOP_SENDING, or null while the input is open. */
    public Integer inputShutdownError() {
        return inputShutdownError;
    }

    /** The error of our RESET_STREAM, or null while the output is open. */
    public Integer outputShutdownError() {
        return outputShutdownError;
    }

    @Override
    public long streamId() {
        return streamId;
    }

    @Override
    public QuicStreamType type() {
        // RFC 9000 §2.1: the second least significant bit tells the direction.
        return (streamId & 0x2) == 0 ? QuicStreamType.BIDIRECTIONAL : QuicStreamType.UNIDIRECTIONAL;
    }

    @Override
    public QuicChannel parent() {
        return (QuicChannel) super.parent();
    }

    @Override
    public ChannelFuture shutdown(int error, ChannelPromise promise) {
        stopSending(error);
        resetStream(error);
        promise.trySuccess();
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput(int error, ChannelPromise promise) {
        stopSending(error);
        promise.trySuccess();
        return promise;
    }

    @Override
    public ChannelFuture shutdownOutput(int error, ChannelPromise promise) {
        resetStream(error);
        promise.trySuccess();
        return promise;
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        return shutdownOutput(0, promise);
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return shutdown(0, promise);
    }

    @Override
    public boolean isInputShutdown() {
        return peerFinished || inputShutdownError != null;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdownError != null;
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    private void stopSending(int error) {
        if (inputShutdownError == null) {
            inputShutdownError = error;
        }
    }

    private void resetStream(int error) {
        if (outputShutdownError == null) {
            outputShutdownError = error;
        }
    }

    @Override
    public QuicStreamChannelConfig config() {
        if (config == null) {
            config = EmbeddedQuicChannel.delegatingConfig(
                    QuicStreamChannelConfig.class, super.config(), (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "isAllowHalfClosure":
                                return allowHalfClosure;
                            case "setAllowHalfClosure":
                                allowHalfClosure = (Boolean) args[0];
                                return proxy;
                            default:
                                throw new UnsupportedOperationException(method.toString());
                        }
                    });
        }
        return config;
    }

    @Override
    public QuicStreamChannel read() {
        super.read();
        return this;
    }

    @Override
    public QuicStreamChannel flush() {
        super.flush();
        return this;
    }

    @Override
    public QuicStreamAddress localAddress() {
        return null;
    }

    @Override
    public QuicStreamAddress remoteAddress() {
        return null;
    }

    @Override
    public boolean isLocalCreated() {
        throw new UnsupportedOperationException("isLocalCreated");
    }

    @Override
    public QuicStreamPriority priority() {
        throw new UnsupportedOperationException("priority");
    }

    @Override
    public ChannelFuture updatePriority(QuicStreamPriority priority, ChannelPromise promise) {
        throw new UnsupportedOperationException("updatePriority");
    }
}
