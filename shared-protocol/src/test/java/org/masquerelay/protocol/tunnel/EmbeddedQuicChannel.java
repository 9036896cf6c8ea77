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
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelConfig;
import io.netty.handler.codec.quic.QuicConnectionAddress;
import io.netty.handler.codec.quic.QuicConnectionPathStats;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.codec.quic.QuicTransportParameters;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * A socket-free {@link QuicChannel}, in the manner of the {@code EmbeddedQuicChannel} of Netty's
 * codec-http3 tests (a test class Netty does not publish): an {@link EmbeddedChannel} whose
 * inbound messages stand for QUIC DATAGRAM frame payloads and whose outbound queue holds what a
 * handler wrote to the connection.
 *
 * <p>It implements what the tunnel handlers use: the pipeline, the allocator, attributes, writes,
 * and {@link #close(boolean, int, ByteBuf, ChannelPromise)}, which is recorded as a {@link
 * CloseCall} (taking ownership of the reason, as Netty's does). Addresses are {@code null}, as in
 * Netty's double, because {@link io.netty.channel.AbstractChannel#toString()} reads them. Every
 * other QUIC method throws {@link UnsupportedOperationException}, so a handler that starts to
 * depend on one fails loudly here rather than passing against a guess.
 */
public final class EmbeddedQuicChannel extends EmbeddedChannel implements QuicChannel {
    /** One {@code CONNECTION_CLOSE} the handlers asked for; the reason phrase decoded as UTF-8. */
    record CloseCall(boolean applicationClose, int error, String reason) {}

    private final List<CloseCall> closes = new ArrayList<>();
    private QuicChannelConfig config;

    public EmbeddedQuicChannel(ChannelHandler... handlers) {
        super(handlers);
    }

    /** The closes requested, in order. */
    List<CloseCall> closes() {
        return closes;
    }

    /**
     * Fires the event QUIC fires once both sides negotiated the DATAGRAM extension (RFC 9221 §3).
     * Its constructor is package-private in Netty, so it is called reflectively; a test-only class
     * in Netty's package would do the same with more ceremony.
     */
    void negotiateDatagrams(int maxLength) {
        try {
            Constructor<QuicDatagramExtensionEvent> c =
                    QuicDatagramExtensionEvent.class.getDeclaredConstructor(int.class);
            c.setAccessible(true);
            pipeline().fireUserEventTriggered(c.newInstance(maxLength));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot create QuicDatagramExtensionEvent", e);
        }
    }

    @Override
    public ChannelFuture close(boolean applicationClose, int error, ByteBuf reason, ChannelPromise promise) {
        try {
            closes.add(new CloseCall(applicationClose, error, reason.toString(StandardCharsets.UTF_8)));
        } finally {
            reason.release();
        }
        return close(promise);
    }

    @Override
    public QuicChannelConfig config() {
        if (config == null) {
            config = delegatingConfig(QuicChannelConfig.class, super.config(), null);
        }
        return config;
    }

    @Override
    public QuicChannel read() {
        super.read();
        return this;
    }

    @Override
    public QuicChannel flush() {
        super.flush();
        return this;
    }

    @Override
    public QuicConnectionAddress localAddress() {
        return null;
    }

    @Override
    public QuicConnectionAddress remoteAddress() {
        return null;
    }

    @Override
    public SocketAddress localSocketAddress() {
        throw new UnsupportedOperationException("localSocketAddress");
    }

    @Override
    public SocketAddress remoteSocketAddress() {
        throw new UnsupportedOperationException("remoteSocketAddress");
    }

    @Override
    public SSLEngine sslEngine() {
        throw new UnsupportedOperationException("sslEngine");
    }

    @Override
    public long peerAllowedStreams(QuicStreamType type) {
        throw new UnsupportedOperationException("peerAllowedStreams");
    }

    @Override
    public boolean isTimedOut() {
        throw new UnsupportedOperationException("isTimedOut");
    }

    @Override
    public QuicTransportParameters peerTransportParameters() {
        throw new UnsupportedOperationException("peerTransportParameters");
    }

    @Override
    public Future<QuicStreamChannel> createStream(
            QuicStreamType type, ChannelHandler handler, Promise<QuicStreamChannel> promise) {
        throw new UnsupportedOperationException("createStream");
    }

    @Override
    public Future<QuicConnectionStats> collectStats(Promise<QuicConnectionStats> promise) {
        throw new UnsupportedOperationException("collectStats");
    }

    @Override
    public Future<QuicConnectionPathStats> collectPathStats(int pathIdx, Promise<QuicConnectionPathStats> promise) {
        throw new UnsupportedOperationException("collectPathStats");
    }

    /**
     * A {@code type} view of the embedded channel's {@link ChannelConfig}. QUIC's config interfaces
     * only narrow the setters' return types, so each call goes to {@code delegate} and a returned
     * {@code delegate} becomes the view; a method {@link ChannelConfig} lacks goes to {@code
     * extra}, or throws {@link UnsupportedOperationException} when {@code extra} is null.
     */
    static <C extends ChannelConfig> C delegatingConfig(
            Class<C> type, ChannelConfig delegate, InvocationHandler extra) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> type.getSimpleName() + " view of " + delegate;
                };
            }
            Method target;
            try {
                target = ChannelConfig.class.getMethod(method.getName(), method.getParameterTypes());
            } catch (NoSuchMethodException e) {
                if (extra == null) {
                    throw new UnsupportedOperationException(method.toString());
                }
                return extra.invoke(proxy, method, args);
            }
            try {
                Object result = target.invoke(delegate, args);
                return result == delegate ? proxy : result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
