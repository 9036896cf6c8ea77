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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one HTTP/1.1 connection of {@link HttpOrigin}, one request at a time.
 *
 * <p>The channel runs with {@code AUTO_READ=false}. Decoded messages go into a queue and are
 * handled in order; while a response (or an echoed body piece) is being written the queue is not
 * drained, and the next read is requested only once the queue is empty and no write is in flight.
 * That keeps pipelined requests in order and bounds memory to one read's worth of input.
 *
 * <p>Every field is touched only by the channel's event loop thread. Not sharable.
 */
final class HttpOriginHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpOriginHandler.class);

    private enum Kind {
        INDEX,
        WHOAMI,
        BYTES,
        FILE,
        ECHO,
        NOT_FOUND
    }

    private record Route(Kind kind, long length, @Nullable Path file) {
        static final Route NOT_FOUND = new Route(Kind.NOT_FOUND, 0, null);
    }

    private final @Nullable Path filesRoot;
    private final ArrayDeque<HttpObject> inbound = new ArrayDeque<>();

    /** Route of the request whose body is being read; null between requests. */
    private @Nullable Route route;

    /** Whether the connection stays open after the current response. */
    private boolean keepAlive;

    /** A write is in flight whose completion resumes draining and reading. */
    private boolean busy;

    /** Guards against re-entering {@link #drain} from a listener that completes inline. */
    private boolean draining;

    /** The echo response's head has been written, so an error can no longer get a 4xx. */
    private boolean responseStarted;

    /** The connection is going away; drop whatever is still queued. */
    private boolean closing;

    HttpOriginHandler(@Nullable Path filesRoot) {
        this.filesRoot = filesRoot;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject object) {
            inbound.add(object);
            drain(ctx);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readIfIdle(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        for (HttpObject queued; (queued = inbound.poll()) != null; ) {
            ReferenceCountUtil.release(queued);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("http origin: closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
        closing = true;
        ctx.close();
    }

    private void drain(ChannelHandlerContext ctx) {
        if (draining) {
            return;
        }
        draining = true;
        try {
            for (HttpObject next; !busy && (next = inbound.poll()) != null; ) {
                handle(ctx, next);
            }
        } finally {
            draining = false;
        }
    }

    private void readIfIdle(ChannelHandlerContext ctx) {
        if (!busy && !closing && inbound.isEmpty()) {
            ctx.read();
        }
    }

    private void handle(ChannelHandlerContext ctx, HttpObject msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg.decoderResult().isFailure()) {
            log.debug(
                    "http origin: bad request from {}: {}",
                    ctx.channel().remoteAddress(),
                    msg.decoderResult().cause().toString());
            ReferenceCountUtil.release(msg);
            badRequest(ctx);
            return;
        }
        if (msg instanceof HttpRequest request) {
            begin(ctx, request);
        }
        if (msg instanceof HttpContent content) {
            body(ctx, content);
        }
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest request) {
        keepAlive = HttpUtil.isKeepAlive(request);
        route = route(request);
        if (route.kind() == Kind.ECHO) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, type != null ? type : HttpHeaderValues.APPLICATION_OCTET_STREAM);
            if (HttpUtil.isTransferEncodingChunked(request)) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                // A request without Content-Length or chunked framing has no body (RFC 9112 §6.3).
                HttpUtil.setContentLength(response, HttpUtil.getContentLength(request, 0L));
            }
            HttpUtil.setKeepAlive(response, keepAlive);
            responseStarted = true;
            ctx.write(response);
        }
    }

    private void body(ChannelHandlerContext ctx, HttpContent content) {
        if (route == null) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (route.kind() == Kind.ECHO) {
            // Ownership of the content passes to the write; the next read waits for it to finish.
            busy = true;
            ChannelFuture written = ctx.writeAndFlush(content);
            if (last) {
                route = null;
                written.addListener(f -> responseDone(ctx, f.isSuccess()));
            } else {
                written.addListener(f -> pieceDone(ctx, f.isSuccess()));
            }
            return;
        }
        content.release();
        if (last) {
            Route current = route;
            route = null;
            respond(ctx, current);
        }
    }

    private void pieceDone(ChannelHandlerContext ctx, boolean success) {
        busy = false;
        if (!success) {
            closing = true;
            ctx.close();
            return;
        }
        drain(ctx);
        readIfIdle(ctx);
    }

    private void responseDone(ChannelHandlerContext ctx, boolean success) {
        busy = false;
        responseStarted = false;
        if (!success || !keepAlive) {
            closing = true;
            ctx.close();
            return;
        }
        drain(ctx);
        readIfIdle(ctx);
    }

    private void respond(ChannelHandlerContext ctx, Route current) {
        switch (current.kind()) {
            case INDEX -> text(ctx, HttpResponseStatus.OK, INDEX_TEXT.formatted(peerIp(ctx)));
            case WHOAMI -> text(ctx, HttpResponseStatus.OK, peerIp(ctx) + "\n");
            case BYTES ->
                stream(
                        ctx,
                        HttpHeaderValues.APPLICATION_OCTET_STREAM,
                        current.length(),
                        new PatternChunkedInput(current.length()));
            case FILE -> serveFile(ctx, Objects.requireNonNull(current.file())); // FILE routes have one
            default -> text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n");
        }
    }

    /** What {@code GET /} answers: where the request came from, and the routes. */
    static final String INDEX_TEXT = """
            masque-relay test origin
            You reached it from %s (through the relays: the egress's source address, never yours).
            GET  /whoami      that address alone
            GET  /bytes/N     N bytes of a fixed pattern
            GET  /files/NAME  a file of the directory given with --files
            POST /echo        the request body, back
            """;

    private static String peerIp(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        return remote instanceof InetSocketAddress inet
                ? NetUtil.toAddressString(inet.getAddress())
                : String.valueOf(remote);
    }

    private void serveFile(ChannelHandlerContext ctx, Path file) {
        FileChannel channel = null;
        ChunkedNioFile chunks;
        long size;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            size = channel.size();
            chunks = new ChunkedNioFile(channel, 0, size, HttpOrigin.CHUNK_SIZE);
        } catch (IOException e) {
            closeQuietly(channel);
            log.debug("http origin: cannot read {}: {}", file, e.toString());
            text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n");
            return;
        }
        stream(ctx, contentType(file), size, chunks);
    }

    /** Writes a response head, then the body from {@code body} while the channel is writable. */
    private void stream(ChannelHandlerContext ctx, CharSequence type, long length, ChunkedInput<ByteBuf> body) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(response, length);
        HttpUtil.setKeepAlive(response, keepAlive);
        busy = true;
        ctx.write(response);
        ctx.writeAndFlush(new HttpChunkedInput(body)).addListener(f -> responseDone(ctx, f.isSuccess()));
    }

    private void text(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, ByteBufUtil.writeUtf8(ctx.alloc(), text));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        busy = true;
        ctx.writeAndFlush(response).addListener(f -> responseDone(ctx, f.isSuccess()));
    }

    private void badRequest(ChannelHandlerContext ctx) {
        route = null;
        if (responseStarted) {
            closing = true;
            ctx.close();
            return;
        }
        keepAlive = false;
        text(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n");
        closing = true;
    }

    private Route route(HttpRequest request) {
        String path = decodedPath(request.uri());
        if (path == null) {
            return Route.NOT_FOUND;
        }
        HttpMethod method = request.method();
        if (HttpMethod.GET.equals(method)) {
            if (path.equals("/")) {
                return new Route(Kind.INDEX, 0, null);
            }
            if (path.equals("/whoami")) {
                return new Route(Kind.WHOAMI, 0, null);
            }
            if (path.startsWith("/bytes/")) {
                long n = parseLength(path.substring("/bytes/".length()));
                return n < 0 ? Route.NOT_FOUND : new Route(Kind.BYTES, n, null);
            }
            if (path.startsWith("/files/")) {
                Path file = resolveFile(path.substring("/files/".length()));
                return file == null ? Route.NOT_FOUND : new Route(Kind.FILE, 0, file);
            }
        } else if (HttpMethod.POST.equals(method) && path.equals("/echo")) {
            return new Route(Kind.ECHO, 0, null);
        }
        return Route.NOT_FOUND;
    }

    /** The percent-decoded path of an origin-form or absolute-form target, or null. */
    private static @Nullable String decodedPath(String target) {
        String raw = target;
        if (!raw.startsWith("/")) {
            int scheme = raw.indexOf("://");
            if (scheme <= 0) {
                return null;
            }
            int slash = raw.indexOf('/', scheme + 3);
            raw = slash < 0 ? "/" : raw.substring(slash);
        }
        try {
            return new QueryStringDecoder(raw).path();
        } catch (IllegalArgumentException malformedEscape) {
            return null;
        }
    }

    /** Decimal digits only, at most {@link HttpOrigin#MAX_BYTES}; otherwise -1. */
    private static long parseLength(String digits) {
        if (digits.isEmpty() || digits.length() > 10) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n <= HttpOrigin.MAX_BYTES ? n : -1;
    }

    /**
     * The regular file {@code name} denotes under the root, or null. Rejects rather than normalizes
     * anything unusual, then checks the real path (after symlinks) is still inside the root.
     */
    private @Nullable Path resolveFile(String name) {
        if (filesRoot == null
                || name.isEmpty()
                || name.startsWith("/")
                || name.indexOf('\\') >= 0
                || name.indexOf('\0') >= 0) {
            return null;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return null;
            }
        }
        try {
            Path candidate = filesRoot.resolve(name).normalize();
            if (!candidate.startsWith(filesRoot)) {
                return null;
            }
            Path real = candidate.toRealPath();
            return real.startsWith(filesRoot) && Files.isRegularFile(real) ? real : null;
        } catch (IOException | InvalidPathException e) {
            return null;
        }
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (extension) {
            case "html", "htm" -> "text/html; charset=utf-8";
            case "js", "mjs" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "txt" -> "text/plain; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            default -> "application/octet-stream";
        };
    }

    private static void closeQuietly(@Nullable FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing was read from it; the error that matters is already being reported.
            }
        }
    }

    /** The body of {@code GET /bytes/{n}}, generated chunk by chunk as the socket drains. */
    private static final class PatternChunkedInput implements ChunkedInput<ByteBuf> {

        private final long length;
        private final byte[] scratch;
        private long offset;

        PatternChunkedInput(long length) {
            this.length = length;
            this.scratch = new byte[(int) Math.min(HttpOrigin.CHUNK_SIZE, length)];
        }

        @Override
        public boolean isEndOfInput() {
            return offset >= length;
        }

        @Override
        public void close() {}

        @Deprecated
        @Override
        public @Nullable ByteBuf readChunk(ChannelHandlerContext ctx) {
            return readChunk(ctx.alloc());
        }

        @Override
        public @Nullable ByteBuf readChunk(ByteBufAllocator allocator) {
            if (offset >= length) {
                return null;
            }
            // Generated into a heap array and copied once: per-long writes on a ByteBuf cost a bounds
            // check each, and a stack trace each under paranoid leak detection.
            int n = (int) Math.min(scratch.length, length - offset);
            HttpOrigin.pattern(offset, scratch, 0, n);
            offset += n;
            return allocator.buffer(n).writeBytes(scratch, 0, n);
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public long progress() {
            return offset;
        }
    }
}
