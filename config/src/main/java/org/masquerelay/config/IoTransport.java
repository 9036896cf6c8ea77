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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.util.Locale;

/**
 * The Netty transport of a process's event loops and UDP sockets: epoll where its native library
 * loads (every supported Linux), NIO elsewhere. The system property {@code masque.io} overrides
 * the choice ({@code auto}, {@code epoll} or {@code nio}; see docs/netty.md). Only the places that
 * create event loop groups and pick channel classes ask for it; the handlers are the same on both.
 */
public enum IoTransport {
    EPOLL,
    NIO;

    /** The system property that overrides the choice. */
    public static final String PROPERTY = "masque.io";

    /** The transport {@code masque.io} asks for, or the best one that loads here. */
    public static IoTransport current() {
        String asked = System.getProperty(PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
        switch (asked) {
            case "":
            case "auto":
                return Epoll.isAvailable() ? EPOLL : NIO;
            case "nio":
                return NIO;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException(PROPERTY + "=epoll, but the epoll transport does not load here ("
                            + Epoll.unavailabilityCause().getMessage() + "); use " + PROPERTY + "=nio");
                }
                return EPOLL;
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, epoll or nio, not '" + asked + "'");
        }
    }

    /** The I/O handler of this transport's event loops. */
    public IoHandlerFactory handlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** This transport's UDP channel class. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
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

    /** Whether several sockets can share one UDP port ({@code SO_REUSEPORT}, epoll only here). */
    public boolean reusePort() {
        return this == EPOLL;
    }
}
