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
import io.netty.handler.codec.socksx.v5.Socks5AddressDecoder;
import io.netty.handler.codec.socksx.v5.Socks5AddressEncoder;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;

/**
 * The header of a UDP datagram relayed for a SOCKS5 UDP ASSOCIATE (RFC 1928 §7):
 *
 * <pre>
 * +----+------+------+----------+----------+----------+
 * |RSV | FRAG | ATYP | DST.ADDR | DST.PORT |   DATA   |
 * | 2  |  1   |  1   | Variable |    2     | Variable |
 * +----+------+------+----------+----------+----------+
 * </pre>
 *
 * The address is read and written by Netty's SOCKS5 address codecs, so names and literals follow
 * the same rules as in a CONNECT request.
 *
 * @param frag fragment number; anything but 0 is dropped, since we do not reassemble (§7 allows it)
 * @param type ATYP
 * @param host DST.ADDR as text: a name, a dotted IPv4 or an IPv6 literal
 * @param port DST.PORT
 */
record Socks5UdpHeader(int frag, Socks5AddressType type, String host, int port) {
    /** The smallest header: RSV, FRAG, ATYP, four address bytes and the port. */
    static final int MIN_LENGTH = 10;

    /** A datagram that cannot carry a valid header. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    /** Reads the header and leaves {@code in}'s reader index at DATA. */
    static Socks5UdpHeader decode(ByteBuf in) throws MalformedException {
        if (in.readableBytes() < MIN_LENGTH) {
            throw new MalformedException("datagram of " + in.readableBytes() + " bytes is shorter than a header");
        }
        if (in.readUnsignedShort() != 0) {
            throw new MalformedException("RSV is not 0");
        }
        int frag = in.readUnsignedByte();
        Socks5AddressType type = Socks5AddressType.valueOf(in.readByte());
        if (type != Socks5AddressType.IPv4 && type != Socks5AddressType.DOMAIN && type != Socks5AddressType.IPv6) {
            throw new MalformedException("unknown ATYP " + type.byteValue());
        }
        int need = type == Socks5AddressType.IPv4
                ? 4
                : type == Socks5AddressType.IPv6 ? 16 : 1 + in.getUnsignedByte(in.readerIndex());
        if (in.readableBytes() < need + 2) {
            throw new MalformedException("truncated DST.ADDR or DST.PORT");
        }
        if (type == Socks5AddressType.DOMAIN && need == 1) {
            throw new MalformedException("empty domain name");
        }
        String host;
        try {
            host = Socks5AddressDecoder.DEFAULT.decodeAddress(type, in);
        } catch (Exception e) {
            throw new MalformedException("bad DST.ADDR: " + e);
        }
        return new Socks5UdpHeader(frag, type, host, in.readUnsignedShort());
    }

    /** Writes this header (FRAG 0 in replies) in front of a payload. */
    void encode(ByteBuf out) {
        out.writeShort(0);
        out.writeByte(frag);
        out.writeByte(type.byteValue());
        try {
            Socks5AddressEncoder.DEFAULT.encodeAddress(type, host, out);
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode " + type + " " + host, e); // decoded by us: a bug
        }
        out.writeShort(port);
    }
}
