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
package org.masquerelay.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5Message;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SOCKS5 server side of one local connection (RFC 1928), with Netty's codecs doing the wire
 * format: method selection (no authentication, or RFC 1929 username/password when credentials
 * are configured), then one command.
 *
 * <ul>
 *   <li>CONNECT: the target, domain names unresolved (what curl calls socks5h), IPv4 or IPv6
 *       literal, becomes a CONNECT stream through both hops ({@link TcpTunnel}); a refusal maps to
 *       a reply code ({@link ProxyErrors#socksStatus}).
 *   <li>UDP ASSOCIATE: a {@link UdpAssociation} until this TCP connection closes (§7).
 *   <li>BIND: "command not supported" (0x07).
 * </ul>
 *
 * <p>Runs with AUTO_READ off and reads one message at a time. Negotiation must finish within
 * {@link #NEGOTIATION_TIMEOUT_SECONDS}. Pipeline: {@code socks-decoder, socks-encoder, meter, socks}.
 * Every field is touched on the connection's event loop only. Not sharable.
 */
final class Socks5ServerHandler extends ChannelInboundHandlerAdapter {
    static final int NEGOTIATION_TIMEOUT_SECONDS = 30;
    static final String DECODER = "socks-decoder";
    static final String ENCODER = "socks-encoder";
    private static final Logger log = LoggerFactory.getLogger(Socks5ServerHandler.class);

    /** Where the connection is in RFC 1928 §3-§4. */
    enum State {
        GREETING,
        AUTHENTICATING,
        AWAITING_COMMAND,
        DIALING,
        ASSOCIATED,
        RELAYING
    }

    private final UpstreamConnector upstream;
    private final @Nullable SocksCredentials credentials;
    private final FlowMeter meter;
    private final ProxyStats stats;
    private State state = State.GREETING;
    private @Nullable CompositeByteBuf early;
    private @Nullable ScheduledFuture<?> negotiationTimer;
    private @Nullable UdpAssociation association;

    Socks5ServerHandler(
            UpstreamConnector upstream, @Nullable SocksCredentials credentials, FlowMeter meter, ProxyStats stats) {
        this.upstream = upstream;
        this.credentials = credentials;
        this.meter = meter;
        this.stats = stats;
    }

    /** Adds the decoder, encoder, meter and this handler to a new connection's pipeline. */
    void install(ChannelPipeline p) {
        p.addLast(DECODER, new Socks5InitialRequestDecoder());
        p.addLast(ENCODER, Socks5ServerEncoder.DEFAULT);
        p.addLast("meter", meter.handler());
        p.addLast("socks", this);
    }

    State state() {
        return state;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        negotiationTimer = ctx.executor()
                .schedule(
                        () -> {
                            if (state.compareTo(State.DIALING) < 0) {
                                log.debug("socks: negotiation timed out");
                                ctx.close();
                            }
                        },
                        NEGOTIATION_TIMEOUT_SECONDS,
                        TimeUnit.SECONDS);
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Socks5Message m && m.decoderResult().isFailure()) {
            log.debug(
                    "socks: malformed {} in state {}: {}",
                    m.getClass().getSimpleName(),
                    state,
                    m.decoderResult().cause().toString());
            ReferenceCountUtil.release(msg);
            if (state == State.AWAITING_COMMAND) {
                reply(ctx, Socks5CommandStatus.FAILURE);
            } else {
                ctx.close();
            }
            return;
        }
        switch (state) {
            case GREETING -> {
                if (msg instanceof Socks5InitialRequest r) {
                    greeting(ctx, r);
                    return;
                }
            }
            case AUTHENTICATING -> {
                if (msg instanceof Socks5PasswordAuthRequest r) {
                    authenticate(ctx, r);
                    return;
                }
            }
            case AWAITING_COMMAND -> {
                if (msg instanceof Socks5CommandRequest r) {
                    command(ctx, r);
                    return;
                }
            }
            case DIALING -> {
                if (msg instanceof ByteBuf b) {
                    // Sent before our reply (RFC 1928 does not forbid it): forwarded once open.
                    if (early == null) {
                        early = ctx.alloc().compositeBuffer();
                    }
                    early.addComponent(true, b);
                    return;
                }
            }
            case ASSOCIATED, RELAYING -> {
                // §7: the TCP connection only keeps the association alive; its bytes mean nothing.
                ReferenceCountUtil.release(msg);
                return;
            }
            default -> {}
        }
        log.debug("socks: unexpected {} in state {}", msg.getClass().getSimpleName(), state);
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state.compareTo(State.DIALING) < 0 || state == State.ASSOCIATED) {
            ctx.read(); // a partial message, or the next one; never while a flow is opening
        }
    }

    private void greeting(ChannelHandlerContext ctx, Socks5InitialRequest r) {
        Socks5AuthMethod method = credentials != null ? Socks5AuthMethod.PASSWORD : Socks5AuthMethod.NO_AUTH;
        if (!r.authMethods().contains(method)) {
            // RFC 1928 §3: X'FF', and the client must close; we close too.
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (method == Socks5AuthMethod.PASSWORD) {
            ctx.pipeline().replace(DECODER, DECODER, new Socks5PasswordAuthRequestDecoder());
            state = State.AUTHENTICATING;
        } else {
            ctx.pipeline().replace(DECODER, DECODER, new Socks5CommandRequestDecoder());
            state = State.AWAITING_COMMAND;
        }
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(method));
    }

    private void authenticate(ChannelHandlerContext ctx, Socks5PasswordAuthRequest r) {
        if (credentials == null || !credentials.matches(r.username(), r.password())) {
            log.debug("socks: authentication failed"); // never the name or the password
            // RFC 1929 §2: a non-zero status, then the server must close the connection.
            ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().replace(DECODER, DECODER, new Socks5CommandRequestDecoder());
        state = State.AWAITING_COMMAND;
        ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
    }

    private void command(ChannelHandlerContext ctx, Socks5CommandRequest r) {
        if (r.type() == Socks5CommandType.CONNECT) {
            if (r.dstPort() == 0) {
                reply(ctx, Socks5CommandStatus.FAILURE);
                return;
            }
            state = State.DIALING;
            // Bytes already read behind the request come out of the decoder as it is removed.
            ctx.pipeline().remove(DECODER);
            // Dial once this read is fully delivered, so every early byte is in place.
            ctx.executor().execute(() -> dial(ctx, r));
        } else if (r.type() == Socks5CommandType.UDP_ASSOCIATE) {
            ctx.pipeline().remove(DECODER);
            state = State.ASSOCIATED;
            associate(ctx);
        } else {
            reply(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED);
        }
    }

    private void dial(ChannelHandlerContext ctx, Socks5CommandRequest r) {
        if (!ctx.channel().isActive()) {
            return;
        }
        CompositeByteBuf data = early;
        early = null;
        meter.bind(ctx.channel());
        TcpTunnel.open(upstream, ctx, r.dstAddr(), r.dstPort(), data, meter, new TcpTunnel.Reply() {
            @Override
            public void succeeded(ChannelHandlerContext c) {
                state = State.RELAYING;
                // RFC 1928 §6: BND.ADDR/BND.PORT are the egress's, which only the egress knows.
                c.writeAndFlush(new DefaultSocks5CommandResponse(
                        Socks5CommandStatus.SUCCESS, Socks5AddressType.IPv4, "0.0.0.0", 0));
                c.pipeline().remove(ENCODER);
                c.pipeline().remove(Socks5ServerHandler.this);
            }

            @Override
            public void failed(ChannelHandlerContext c, Throwable cause) {
                log.debug("socks: CONNECT failed: {}", cause.toString());
                reply(c, ProxyErrors.socksStatus(cause));
            }
        });
    }

    private void associate(ChannelHandlerContext ctx) {
        UpstreamConnector.UdpSession session;
        try {
            session = upstream.udpSession();
        } catch (Exception e) {
            reply(ctx, ProxyErrors.socksStatus(e));
            return;
        }
        InetSocketAddress control = (InetSocketAddress) ctx.channel().remoteAddress();
        // The relay socket listens where the client reached us (§7: BND.ADDR of the reply).
        InetSocketAddress bindTo =
                new InetSocketAddress(((InetSocketAddress) ctx.channel().localAddress()).getAddress(), 0);
        UdpAssociation association = new UdpAssociation(session, control.getAddress(), stats);
        this.association = association;
        association
                .bind(bindTo)
                .addListener(f -> ctx.executor().execute(() -> {
                    if (!f.isSuccess()) {
                        log.debug(
                                "socks: cannot bind a UDP relay socket: {}",
                                f.cause().toString());
                        reply(ctx, Socks5CommandStatus.FAILURE);
                        return;
                    }
                    InetSocketAddress bound = association.localAddress();
                    boolean v6 = bound.getAddress() instanceof Inet6Address;
                    ctx.writeAndFlush(new DefaultSocks5CommandResponse(
                            Socks5CommandStatus.SUCCESS,
                            v6 ? Socks5AddressType.IPv6 : Socks5AddressType.IPv4,
                            NetUtil.toAddressString(bound.getAddress()),
                            bound.getPort()));
                    ctx.read();
                }));
    }

    /** A command reply that ends the connection (every failure, RFC 1928 §6). */
    private void reply(ChannelHandlerContext ctx, Socks5CommandStatus status) {
        ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (negotiationTimer != null) {
            negotiationTimer.cancel(false);
        }
        if (early != null) {
            early.release();
            early = null;
        }
        if (association != null) {
            association.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (negotiationTimer != null) {
            negotiationTimer.cancel(false);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ProxyServer.DRAIN) {
            if (state.compareTo(State.DIALING) < 0) {
                ctx.close(); // still negotiating: nothing to finish
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("socks: closing after {}", cause.toString());
        ctx.close();
    }
}
