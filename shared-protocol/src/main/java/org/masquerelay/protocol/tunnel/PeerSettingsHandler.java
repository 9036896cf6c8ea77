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

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.http3.Http3SettingsFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import org.masquerelay.protocol.datagram.H3Settings;

/**
 * Captures the peer's SETTINGS frame (RFC 9114 §7.2.4) from the inbound control stream and
 * publishes it on the connection. Netty does not make a client wait for
 * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} (RFC 9220 §3), and a sender must not use HTTP
 * Datagrams before it saw {@code SETTINGS_H3_DATAGRAM=1} (RFC 9297 §2.1.1); both wait on
 * {@link #peerSettings(Channel)}.
 *
 * <p>Pass a new instance as the {@code inboundControlStreamHandler} of the connection handler.
 */
public final class PeerSettingsHandler extends ChannelInboundHandlerAdapter {
    /** Largest header section we accept (RFC 9114 §4.2.2): 8 KiB, Netty's default, made explicit. */
    public static final long MAX_FIELD_SECTION_SIZE = 8192;

    private static final AttributeKey<CompletableFuture<Http3SettingsFrame>> KEY =
            AttributeKey.valueOf(PeerSettingsHandler.class, "peerSettings");

    /** The peer's settings of {@code quicChannel}, completed when its SETTINGS frame arrives. */
    public static CompletableFuture<Http3SettingsFrame> peerSettings(Channel quicChannel) {
        CompletableFuture<Http3SettingsFrame> f = quicChannel.attr(KEY).get();
        if (f == null) {
            CompletableFuture<Http3SettingsFrame> created = new CompletableFuture<>();
            f = quicChannel.attr(KEY).setIfAbsent(created);
            if (f == null) {
                f = created;
                CompletableFuture<Http3SettingsFrame> toFail = created;
                quicChannel
                        .closeFuture()
                        .addListener(x -> toFail.completeExceptionally(
                                new IllegalStateException("connection closed before SETTINGS")));
            }
        }
        return f;
    }

    /**
     * Our SETTINGS for every MASQUE endpoint: extended CONNECT (RFC 9220 §3) and HTTP Datagrams
     * (RFC 9297 §5.1). QPACK dynamic table stays off (the connection handlers disable it).
     */
    public static Http3SettingsFrame localMasqueSettings() {
        return localMasqueSettings(true);
    }

    /**
     * The same, with {@code SETTINGS_H3_DATAGRAM=1} only if {@code datagrams}: an endpoint that has
     * not negotiated QUIC DATAGRAM frames must not send it (RFC 9297 §2.1.1).
     */
    public static Http3SettingsFrame localMasqueSettings(boolean datagrams) {
        Http3Settings s = new Http3Settings();
        s.enableConnectProtocol(true);
        if (datagrams) {
            s.enableH3Datagram(true);
        }
        // RFC 9114 §7.2.4.1: a larger field section is refused (Netty closes the connection with
        // H3_EXCESSIVE_LOAD); advertised so peers know. MASQUE requests are a few hundred bytes.
        s.maxFieldSectionSize(MAX_FIELD_SECTION_SIZE);
        return new DefaultHttp3SettingsFrame(s);
    }

    /** True once the peer advertised {@code SETTINGS_H3_DATAGRAM=1}. */
    public static boolean peerSupportsH3Datagram(Channel quicChannel) {
        CompletableFuture<Http3SettingsFrame> f = peerSettings(quicChannel);
        if (!f.isDone() || f.isCompletedExceptionally()) {
            return false;
        }
        Long v = f.join().get(H3Settings.SETTINGS_H3_DATAGRAM);
        return v != null && v == 1L;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http3SettingsFrame settings) {
            peerSettings(ctx.channel().parent()).complete(settings);
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public boolean isSharable() {
        return false;
    }
}
