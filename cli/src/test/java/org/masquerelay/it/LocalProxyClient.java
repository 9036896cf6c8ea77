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
package org.masquerelay.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of the local proxy's protocols, spelled out byte by byte so a test sees every
 * reply code: SOCKS5 (RFC 1928) greetings and commands, and HTTP/1.1 proxy requests.
 */
final class LocalProxyClient {
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;

    private LocalProxyClient() {}

    /** A SOCKS5 command's outcome: REP, and the bound address bytes and port. */
    record SocksReply(int rep, int atyp, byte[] address, int port) {}

    /** An open connection to the proxy with the greeting done (no authentication). */
    static Socket socksGreeted(InetSocketAddress proxy) throws IOException {
        Socket s = new Socket();
        s.connect(proxy, 5000);
        s.setSoTimeout(60_000);
        s.getOutputStream().write(new byte[] {5, 1, 0}); // VER, NMETHODS, NO AUTH
        byte[] choice = new DataInputStream(s.getInputStream()).readNBytes(2);
        if (choice.length != 2 || choice[0] != 5 || choice[1] != 0) {
            s.close();
            throw new IOException("SOCKS greeting refused");
        }
        return s;
    }

    /** Sends a command (1 CONNECT, 3 UDP ASSOCIATE) and reads the reply. */
    static SocksReply socksCommand(Socket s, int cmd, int atyp, byte[] address, int port) throws IOException {
        OutputStream out = s.getOutputStream();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write(new byte[] {5, (byte) cmd, 0, (byte) atyp});
        if (atyp == ATYP_DOMAIN) {
            req.write(address.length);
        }
        req.write(address);
        req.write(port >> 8);
        req.write(port);
        out.write(req.toByteArray());
        DataInputStream in = new DataInputStream(s.getInputStream());
        int ver = in.read();
        if (ver < 0) {
            throw new IOException("SOCKS: connection closed before the reply");
        }
        int rep = in.read();
        in.read(); // RSV
        int bndType = in.read();
        int len = bndType == ATYP_IPV4 ? 4 : bndType == ATYP_IPV6 ? 16 : in.read();
        byte[] bnd = in.readNBytes(len);
        int bndPort = in.readUnsignedShort();
        return new SocksReply(rep, bndType, bnd, bndPort);
    }

    /** A SOCKS5 CONNECT to a name, passed unresolved; the socket is ready for data when REP is 0. */
    static SocksReply socksConnect(Socket s, String host, int port) throws IOException {
        return socksCommand(s, 1, ATYP_DOMAIN, host.getBytes(StandardCharsets.US_ASCII), port);
    }

    /** Reads an HTTP/1.1 response head (status line and fields) as text. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static int status(String head) {
        return Integer.parseInt(head.substring(9, 12));
    }

    static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        return -1;
    }

    /** The value of field {@code name} in a response head, or null. */
    static String field(String head, String name) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    /** SHA-256 of exactly {@code n} bytes from {@code in}; fails on a short stream. */
    static byte[] sha256Of(InputStream in, long n) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        byte[] buf = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("stream ended " + left + " bytes early");
            }
            sha.update(buf, 0, r);
            left -= r;
        }
        return sha.digest();
    }

    /** Reads a chunked body (RFC 9112 §7.1) to its end, trailers included, and returns it. */
    static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailer fields
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            if (!readLine(in).isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed inside a chunked body");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** Something a test does with a socket. */
    interface SocketAction {
        void run() throws IOException;
    }

    /** Runs {@code action} on another thread, as a writer must while the test reads the echo. */
    static CompletableFuture<Void> inBackground(SocketAction action) {
        return CompletableFuture.runAsync(() -> {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
