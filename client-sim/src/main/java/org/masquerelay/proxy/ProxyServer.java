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

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local proxy's lifecycle: a SOCKS5 listener (RFC 1928) and/or an HTTP proxy listener (RFC
 * 9110 §9.3.6, RFC 9112 §3.2.2) on local addresses, whose flows share the relay connections of a
 * {@link ClientPool}. On shutdown it stops accepting, lets open flows finish until a deadline,
 * then closes what is left.
 *
 * <p>Local sockets are NIO, for correct TCP half-close (docs/netty.md trap 7), and run with
 * AUTO_READ off: each side reads only after its last write was accepted, so a slow local reader
 * stalls the QUIC stream (and, through QUIC flow control, the target) instead of filling memory.
 */
public final class ProxyServer implements AutoCloseable {
    /** User event: the server drains; idle connections close, busy ones after their exchange. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final ProxyConfig config;
    private final ClientPool pool;
    private final ProxyStats stats;
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup downstream = new DefaultChannelGroup("proxy-downstream", GlobalEventExecutor.INSTANCE);
    private final @Nullable Channel socks;
    private final @Nullable Channel http;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProxyServer(ProxyConfig config, ClientPool pool) {
        this.config = config;
        this.pool = pool;
        this.stats = new ProxyStats(pool::activeStreams, pool::clients, pool::reconnects, pool::location);
        try {
            socks = config.socksListen() == null
                    ? null
                    : listen(config.socksListen(), meter -> {
                        Socks5ServerHandler h = new Socks5ServerHandler(pool, config.socksCredentials(), meter, stats);
                        return h::install;
                    });
            http = config.httpListen() == null
                    ? null
                    : listen(config.httpListen(), meter -> {
                        HttpProxyHandler h = new HttpProxyHandler(pool, meter);
                        return h::install;
                    });
        } catch (Exception e) { // a taken port arrives as a BindException, thrown unchecked by Netty
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            pool.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot listen: " + e, e);
        }
        log.info(
                "proxy listening: socks5 {}, http {}",
                socks == null ? "off" : socks.localAddress(),
                http == null ? "off" : http.localAddress());
    }

    /**
     * Binds the configured listeners; the pool belongs to the server from now on (and is closed
     * if a listener cannot bind).
     */
    public static ProxyServer start(ProxyConfig config, ClientPool pool) {
        return new ProxyServer(config, pool);
    }

    /** How a new connection's pipeline is built, given its meter. */
    private interface PipelineInstaller {
        void install(ChannelPipeline p);
    }

    private Channel listen(InetSocketAddress address, Function<FlowMeter, PipelineInstaller> handlers) {
        ChannelHandler init = new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                downstream.add(ch);
                handlers.apply(new FlowMeter(stats)).install(ch.pipeline());
            }
        };
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                // Half-close stays off while negotiating, so a client's FIN ends an idle HTTP
                // connection or a UDP association's control connection; ByteStreamRelay turns it
                // on for the byte phase, where a FIN must travel on.
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(address)
                .syncUninterruptibly()
                .channel();
    }

    public @Nullable InetSocketAddress socksAddress() {
        return socks == null ? null : (InetSocketAddress) socks.localAddress();
    }

    public @Nullable InetSocketAddress httpAddress() {
        return http == null ? null : (InetSocketAddress) http.localAddress();
    }

    public ProxyStats stats() {
        return stats;
    }

    public ClientPool pool() {
        return pool;
    }

    public ProxyConfig config() {
        return config;
    }

    /**
     * Stops accepting, asks idle connections to close, waits until every local connection ended
     * or {@code deadline} passed, then closes the rest, the relay connections and the loop.
     * Blocks; call it from a shutdown hook or a test thread, never from an event loop.
     */
    public void drainAndClose(Duration deadline) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Channel listener : new Channel[] {socks, http}) {
            if (listener != null) {
                listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        for (Channel c : downstream) {
            c.pipeline().fireUserEventTriggered(DRAIN);
        }
        long end = System.nanoTime() + deadline.toNanos();
        while (!downstream.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!downstream.isEmpty()) {
            log.info("proxy drain deadline passed with {} local connection(s) open; closing them", downstream.size());
        }
        downstream.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        pool.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        drainAndClose(Duration.ZERO);
    }
}
