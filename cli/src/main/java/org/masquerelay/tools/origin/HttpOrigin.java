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
package org.masquerelay.tools.origin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 origin ("target website") that demos, integration tests and benchmarks reach through
 * the relays, over plain TCP or TLS.
 *
 * <p>Routes, each chosen so a client can check the result without trusting the relay:
 *
 * <ul>
 *   <li>{@code GET /}: {@code text/plain}, the source address this origin saw and the routes below;
 *   <li>{@code GET /whoami}: {@code text/plain} body {@code <source ip>\n}, the address this origin
 *       saw, so a client can check which egress address it was given;
 *   <li>{@code GET /bytes/{n}}: {@code n} bytes (at most {@value #MAX_BYTES}) of a deterministic
 *       pattern (see {@link #pattern(long, byte[], int, int)}), with {@code Content-Length}, so
 *       throughput and integrity are measured without a file and without holding the body in memory
 *       on either side;
 *   <li>{@code GET /files/<name>}: a regular file under the root directory given at construction
 *       (for pages a browser loads in the demo). Names with {@code .} or {@code ..} segments, empty
 *       segments, backslashes, or that resolve (through symlinks too) outside the root get 404;
 *   <li>{@code POST /echo}: the request body streamed back as it arrives, with the request's
 *       framing ({@code Content-Length} or chunked);
 *   <li>anything else: 404.
 * </ul>
 *
 * <p>Connections are keep-alive and may pipeline. Memory per connection stays bounded: reads stop
 * while a response is being written, and bodies are written in chunks only while the socket is
 * writable. File reads block the event loop, which is fine for a test origin.
 *
 * <p>The instance is thread-safe. {@link #close()} must not be called from one of its own event
 * loop threads.
 */
public final class HttpOrigin implements AutoCloseable {

    /** The largest body {@code /bytes/{n}} serves: 4 GiB. */
    public static final long MAX_BYTES = 4L << 30;

    /** Decoded body pieces and written chunks are at most this large. */
    static final int CHUNK_SIZE = 64 * 1024;

    // SplitMix64 (Steele, Lea and Flood, OOPSLA 2014), the generator behind SplittableRandom.
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final EventLoopGroup group;
    private final Channel listener;
    private final boolean tls;
    private final PeerLog peers = new PeerLog();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Starts a plain-HTTP origin without {@code /files}. */
    public HttpOrigin(InetSocketAddress bindAddress) throws IOException {
        this(bindAddress, null, null);
    }

    /**
     * Starts a plain-HTTP origin.
     *
     * @param filesRoot directory served under {@code /files/}, or {@code null} for none
     */
    public HttpOrigin(InetSocketAddress bindAddress, @Nullable Path filesRoot) throws IOException {
        this(bindAddress, filesRoot, null);
    }

    /**
     * Starts an origin, serving HTTPS when {@code sslContext} is given.
     *
     * @param bindAddress address to listen on; port 0 picks a free port (see {@link #localAddress()})
     * @param filesRoot existing directory served under {@code /files/}, or {@code null} for none
     * @param sslContext a server context for HTTPS, or {@code null} for plain HTTP
     * @throws IOException if the root directory does not exist or the address cannot be bound
     */
    public HttpOrigin(InetSocketAddress bindAddress, @Nullable Path filesRoot, @Nullable SslContext sslContext)
            throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (sslContext != null && !sslContext.isServer()) {
            throw new IllegalArgumentException("sslContext: client context (expected: server)");
        }
        Path root = filesRoot == null ? null : filesRoot.toRealPath();
        if (root != null && !Files.isDirectory(root)) {
            throw new IOException(filesRoot + ": not a directory");
        }
        this.tls = sslContext != null;
        this.group = OriginTransport.newGroup(Runtime.getRuntime().availableProcessors(), "http-origin", false);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(OriginTransport.serverSocketChannel(false))
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        peers.add(ch.remoteAddress());
                        ChannelPipeline p = ch.pipeline();
                        if (sslContext != null) {
                            p.addLast("tls", sslContext.newHandler(ch.alloc()));
                        }
                        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig().setMaxChunkSize(CHUNK_SIZE)));
                        p.addLast("continue", new HttpServerExpectContinueHandler());
                        p.addLast("chunked", new ChunkedWriteHandler());
                        p.addLast("origin", new HttpOriginHandler(root));
                    }
                });
        this.listener = OriginTransport.bind(bootstrap, bindAddress, group, "http origin");
    }

    /** The bound address, with the real port when constructed with port 0. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * An {@code http://} or {@code https://} URI for this origin; a wildcard bind address is replaced
     * by the loopback address of the same family.
     *
     * @param pathAndQuery for example {@code "/bytes/1024"}
     */
    public URI uri(String pathAndQuery) {
        InetSocketAddress local = localAddress();
        InetAddress ip = local.getAddress();
        if (ip.isAnyLocalAddress()) {
            ip = ip instanceof Inet6Address ? NetUtil.LOCALHOST6 : NetUtil.LOCALHOST4;
        }
        String host = ip instanceof Inet6Address ? "[" + NetUtil.toAddressString(ip) + "]" : ip.getHostAddress();
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + local.getPort() + pathAndQuery);
    }

    /** Source addresses of the last 1024 accepted connections, oldest first; a snapshot. */
    public List<InetSocketAddress> peers() {
        return peers.snapshot();
    }

    /** Closes the listener and every connection, and waits for the event loop threads to end. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            OriginTransport.shutdown(listener, group);
        }
    }

    /**
     * Fills {@code dst} with the pattern bytes at {@code offset ..< offset + dst.length} of every
     * {@code /bytes/{n}} body.
     */
    public static void pattern(long offset, byte[] dst) {
        pattern(offset, dst, 0, dst.length);
    }

    /**
     * Writes the pattern bytes at {@code offset ..< offset + length} into {@code dst} from {@code
     * dstOffset}. The body of {@code /bytes/{n}} is bytes {@code 0 ..< n} of one infinite pattern, so
     * any client can recompute any range of it, or its digest, without storing the body.
     *
     * <p>The pattern is a sequence of 8-byte big-endian blocks; block {@code i} is SplitMix64's
     * output for counter {@code i}:
     *
     * <pre>{@code
     * z = (i + 1) * 0x9E3779B97F4A7C15L;
     * z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
     * z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
     * block = z ^ (z >>> 31);
     * }</pre>
     *
     * which equals the {@code (i + 1)}-th {@code nextLong()} of {@code new SplittableRandom(0)}.
     */
    public static void pattern(long offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
        long position = offset;
        int i = dstOffset;
        int end = dstOffset + length;
        while (i < end && (position & 7) != 0) {
            dst[i++] = byteAt(position++);
        }
        for (; end - i >= 8; i += 8, position += 8) {
            BIG_ENDIAN_LONG.set(dst, i, block(position >>> 3));
        }
        while (i < end) {
            dst[i++] = byteAt(position++);
        }
    }

    /** The pattern bytes at {@code offset ..< offset + length}, in a new array. */
    public static byte[] expectedBytes(long offset, int length) {
        byte[] bytes = new byte[length];
        pattern(offset, bytes, 0, length);
        return bytes;
    }

    /** SHA-256 of the body of {@code GET /bytes/{length}}, computed in 64 KiB steps. */
    public static byte[] patternSha256(long length) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        byte[] step = new byte[CHUNK_SIZE];
        for (long offset = 0; offset < length; offset += step.length) {
            int n = (int) Math.min(step.length, length - offset);
            pattern(offset, step, 0, n);
            sha256.update(step, 0, n);
        }
        return sha256.digest();
    }

    private static byte byteAt(long position) {
        return (byte) (block(position >>> 3) >>> (56 - 8 * (position & 7)));
    }

    private static long block(long index) {
        long z = (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
