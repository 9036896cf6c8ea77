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
package org.masquerelay.tools.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Real QUIC v1 client Initial packets with connection ids of our choosing, for flood tests and
 * {@code masque bench flood}: what
 * an attacker with a spoofed source address sends, and what a server must decrypt and answer as a
 * new connection (a ClientHello, ALPN {@code h3}).
 *
 * <p>One real Initial is captured from Netty's QUIC client, its protection removed with the
 * Initial keys of its destination connection id (RFC 9001 §5.2: they are derived from that id and
 * a public salt, so anyone can), and its plaintext frames (the CRYPTO frame with the ClientHello,
 * and PADDING) are then protected again under fresh connection ids (RFC 9001 §5.3 AEAD, §5.4
 * header protection). Each forged packet is a new connection to the server.
 */
public final class QuicInitials {
    /** RFC 9001 §5.2: the QUIC v1 Initial salt. */
    private static final byte[] SALT = HexFormat.of().parseHex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");

    private static final int MIN_DATAGRAM = 1200;
    private static final int TAG = 16;

    private final byte[] frames;
    private final int dcidLength;
    private final int scidLength;

    private QuicInitials(byte[] frames, int dcidLength, int scidLength) {
        // RFC 9000 §14.1: a server drops a client Initial in a datagram under 1200 bytes. The
        // capture may carry its padding outside the packet; PADDING frames (zero bytes) inside
        // make each forged packet a full datagram on its own.
        int header = 1 + 4 + 1 + dcidLength + 1 + scidLength + 1 + 2 + 1;
        int padded = Math.max(frames.length, MIN_DATAGRAM - header - TAG);
        this.frames = Arrays.copyOf(frames, padded);
        this.dcidLength = dcidLength;
        this.scidLength = scidLength;
    }

    /** Captures a real client Initial (ALPN h3) and keeps its plaintext frames. */
    public static QuicInitials capture() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (DatagramSocket sink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            sink.setSoTimeout(10_000);
            QuicSslContext tls = QuicSslContextBuilder.forClient()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocols("h3")
                    .build();
            Channel udp = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .handler(new QuicClientCodecBuilder()
                            .sslContext(tls)
                            .maxIdleTimeout(5, TimeUnit.SECONDS)
                            .initialMaxData(1 << 20)
                            .initialMaxStreamDataBidirectionalLocal(1 << 16)
                            .build())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync()
                    .channel();
            QuicChannel.newBootstrap(udp)
                    .handler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(sink.getLocalSocketAddress())
                    .connect();
            DatagramPacket first = new DatagramPacket(new byte[65_536], 65_536);
            sink.receive(first);
            udp.close().sync();
            return parse(Arrays.copyOf(first.getData(), first.getLength()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Removes the protection of a client Initial (RFC 9001 §5.4, §5.3) and keeps its frames. */
    public static QuicInitials parse(byte[] p) throws GeneralSecurityException {
        if ((p[0] & 0xF0) != 0xC0 || p[1] != 0 || p[2] != 0 || p[3] != 0 || p[4] != 1) {
            throw new IllegalStateException("not a QUIC v1 Initial: first byte " + (p[0] & 0xFF));
        }
        int off = 5;
        int dcidLength = p[off++];
        byte[] dcid = Arrays.copyOfRange(p, off, off + dcidLength);
        off += dcidLength;
        int scidLength = p[off++];
        off += scidLength;
        long[] v = varint(p, off);
        off = (int) v[1] + (int) v[0]; // the token (none from a fresh client)
        v = varint(p, off);
        int length = (int) v[0];
        int pnOffset = (int) v[1];
        Keys k = Keys.client(dcid);
        byte[] mask = k.mask(p, pnOffset + 4);
        byte firstByte = (byte) (p[0] ^ (mask[0] & 0x0F));
        int pnLength = (firstByte & 0x03) + 1;
        byte[] header = Arrays.copyOf(p, pnOffset + pnLength);
        header[0] = firstByte;
        long pn = 0;
        for (int i = 0; i < pnLength; i++) {
            header[pnOffset + i] ^= mask[1 + i];
            pn = pn << 8 | (header[pnOffset + i] & 0xFF);
        }
        Cipher aead = Cipher.getInstance("AES/GCM/NoPadding");
        aead.init(Cipher.DECRYPT_MODE, k.key, new GCMParameterSpec(128, k.nonce(pn)));
        aead.updateAAD(header);
        byte[] frames = aead.doFinal(p, pnOffset + pnLength, length - pnLength);
        return new QuicInitials(frames, dcidLength, scidLength);
    }

    /** The plaintext frames: a CRYPTO frame with the ClientHello, then PADDING. */
    public byte[] frames() {
        return frames.clone();
    }

    /** A protected Initial packet that opens a new connection under random connection ids. */
    public byte[] forge(SplittableRandom random) throws GeneralSecurityException {
        byte[] dcid = new byte[dcidLength];
        byte[] scid = new byte[scidLength];
        random.nextBytes(dcid);
        random.nextBytes(scid);
        Keys k = Keys.client(dcid);
        int pnLength = 1;
        int length = pnLength + frames.length + TAG;
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(0xC0 | (pnLength - 1)); // long header, fixed bit, Initial, 1-byte packet number
        h.writeBytes(new byte[] {0, 0, 0, 1});
        h.write(dcid.length);
        h.writeBytes(dcid);
        h.write(scid.length);
        h.writeBytes(scid);
        h.write(0); // no token
        h.write(0x40 | length >> 8); // two-byte varint
        h.write(length & 0xFF);
        int pnOffset = h.size();
        h.write(0); // packet number 0
        byte[] header = h.toByteArray();
        Cipher aead = Cipher.getInstance("AES/GCM/NoPadding");
        aead.init(Cipher.ENCRYPT_MODE, k.key, new GCMParameterSpec(128, k.nonce(0)));
        aead.updateAAD(header);
        byte[] sealed = aead.doFinal(frames);
        byte[] packet = Arrays.copyOf(header, header.length + sealed.length);
        System.arraycopy(sealed, 0, packet, header.length, sealed.length);
        byte[] mask = k.mask(packet, pnOffset + 4);
        packet[0] ^= (byte) (mask[0] & 0x0F);
        for (int i = 0; i < pnLength; i++) {
            packet[pnOffset + i] ^= mask[1 + i];
        }
        return packet;
    }

    /** A QUIC varint at {@code off}: its value and the offset after it (RFC 9000 §16). */
    private static long[] varint(byte[] p, int off) {
        int n = 1 << ((p[off] & 0xFF) >> 6);
        long v = p[off] & 0x3F;
        for (int i = 1; i < n; i++) {
            v = v << 8 | (p[off + i] & 0xFF);
        }
        return new long[] {v, off + n};
    }

    /** The client's Initial keys for one destination connection id (RFC 9001 §5.2, A.1). */
    public static final class Keys {
        private final SecretKeySpec key;
        private final byte[] iv;
        private final byte[] hpKey;
        private final Cipher hp;

        private Keys(byte[] secret) throws GeneralSecurityException {
            key = new SecretKeySpec(expandLabel(secret, "quic key", 16), "AES");
            iv = expandLabel(secret, "quic iv", 12);
            hpKey = expandLabel(secret, "quic hp", 16);
            hp = Cipher.getInstance("AES/ECB/NoPadding");
            hp.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hpKey, "AES"));
        }

        /** The AEAD key, IV and header protection key, in that order (for checks against RFC 9001 A.1). */
        public byte[][] material() {
            return new byte[][] {key.getEncoded(), iv.clone(), hpKey.clone()};
        }

        public static Keys client(byte[] dcid) throws GeneralSecurityException {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(SALT, "HmacSHA256"));
            byte[] initial = extract.doFinal(dcid);
            return new Keys(expandLabel(initial, "client in", 32));
        }

        byte[] nonce(long pn) {
            byte[] n = iv.clone();
            for (int i = 0; i < 8; i++) {
                n[n.length - 1 - i] ^= (byte) (pn >>> (8 * i));
            }
            return n;
        }

        /** RFC 9001 §5.4.3: AES-ECB of the 16-byte sample. */
        byte[] mask(byte[] packet, int sampleOffset) throws GeneralSecurityException {
            return hp.doFinal(packet, sampleOffset, 16);
        }

        /** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, for outputs of one hash block. */
        private static byte[] expandLabel(byte[] secret, String label, int length) throws GeneralSecurityException {
            byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream info = new ByteArrayOutputStream();
            info.write(length >> 8);
            info.write(length);
            info.write(full.length);
            info.writeBytes(full);
            info.write(0); // empty context
            info.write(1); // HKDF-Expand's block counter
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Arrays.copyOf(m.doFinal(info.toByteArray()), length);
        }
    }
}
