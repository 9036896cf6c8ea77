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
package org.masquerelay.config;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueDatagramChannel;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.kqueue.KQueueSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;

/**
 * The Netty transport of a process's event loops and sockets: epoll where its native library loads
 * (Linux on x86-64 and aarch64), else kqueue (macOS and the BSDs), else NIO (anywhere Java runs).
 * The system property {@code masque.io} overrides the choice ({@code auto}, {@code epoll},
 * {@code kqueue} or {@code nio}; see docs/netty.md). Only the places that create event loop groups
 * and pick channel classes ask for it; the handlers are the same on all three.
 */
public enum IoTransport {
    EPOLL,
    KQUEUE,
    NIO;

    /** The system property that overrides the choice. */
    public static final String PROPERTY = "masque.io";

    /** The transport {@code masque.io} asks for, or the best one that loads here. */
    public static IoTransport current() {
        String asked = System.getProperty(PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
        switch (asked) {
            case "":
            case "auto":
                if (Epoll.isAvailable()) {
                    return EPOLL;
                }
                return KQueue.isAvailable() ? KQUEUE : NIO;
            case "nio":
                return NIO;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw unavailable("epoll", Epoll.unavailabilityCause());
                }
                return EPOLL;
            case "kqueue":
                if (!KQueue.isAvailable()) {
                    throw unavailable("kqueue", KQueue.unavailabilityCause());
                }
                return KQUEUE;
            default:
                throw new IllegalArgumentException(
                        PROPERTY + " must be auto, epoll, kqueue or nio, not '" + asked + "'");
        }
    }

    private static IllegalStateException unavailable(String asked, Throwable cause) {
        return new IllegalStateException(PROPERTY + "=" + asked + ", but the " + asked
                + " transport does not load here (" + cause.getMessage() + "); use " + PROPERTY + "=auto or nio");
    }

    /** The I/O handler of this transport's event loops. */
    public IoHandlerFactory handlerFactory() {
        switch (this) {
            case EPOLL:
                return EpollIoHandler.newFactory();
            case KQUEUE:
                return KQueueIoHandler.newFactory();
            default:
                return NioIoHandler.newFactory();
        }
    }

    /** This transport's UDP channel class. */
    public Class<? extends DatagramChannel> datagramChannel() {
        switch (this) {
            case EPOLL:
                return EpollDatagramChannel.class;
            case KQUEUE:
                return KQueueDatagramChannel.class;
            default:
                return NioDatagramChannel.class;
        }
    }

    /** This transport's TCP listening channel class. */
    public Class<? extends ServerSocketChannel> serverSocketChannel() {
        switch (this) {
            case EPOLL:
                return EpollServerSocketChannel.class;
            case KQUEUE:
                return KQueueServerSocketChannel.class;
            default:
                return NioServerSocketChannel.class;
        }
    }

    /** This transport's TCP connection channel class, for a client's connection. */
    public Class<? extends SocketChannel> socketChannel() {
        switch (this) {
            case EPOLL:
                return EpollSocketChannel.class;
            case KQUEUE:
                return KQueueSocketChannel.class;
            default:
                return NioSocketChannel.class;
        }
    }

    /**
     * Sets this transport's UDP channel class on {@code b} unless one is set, and on epoll {@code recvmmsg} of up to
     * 2048-byte datagrams (NIO reads one datagram per call and has no such option).
     */
    public Bootstrap udp(Bootstrap b) {
        if (b.config().channelFactory() == null) { // a caller may have chosen the class already
            b.channel(datagramChannel());
        }
        if (this == EPOLL) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048);
        }
        return b;
    }

    /**
     * Whether several sockets can share one UDP port and have the kernel spread the flows across them
     * ({@code SO_REUSEPORT}). Only Linux balances that way; on macOS and most BSDs one of the sockets
     * takes every datagram, so kqueue answers no.
     */
    public boolean reusePort() {
        return this == EPOLL;
    }
}
