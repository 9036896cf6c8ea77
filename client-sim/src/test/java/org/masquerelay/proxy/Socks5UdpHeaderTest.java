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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;

/** RFC 1928 §7 UDP request headers. */
class Socks5UdpHeaderTest {
    private static Socks5UdpHeader decode(String hex) throws Exception {
        ByteBuf b = Hex.buf(hex);
        try {
            return Socks5UdpHeader.decode(b);
        } finally {
            b.release();
        }
    }

    @Test
    void ipv4HeaderLeavesTheReaderAtData() throws Exception {
        ByteBuf b = Hex.buf(
                "0000" // RSV
                        + "00" // FRAG
                        + "01" // ATYP IPv4
                        + "c0000201" // 192.0.2.1
                        + "0035" // port 53
                        + "abcd"); // DATA
        Socks5UdpHeader h = Socks5UdpHeader.decode(b);
        assertThat(h).isEqualTo(new Socks5UdpHeader(0, Socks5AddressType.IPv4, "192.0.2.1", 53));
        assertThat(Hex.of(b)).isEqualTo("abcd");
        b.release();
    }

    @Test
    void domainAndIpv6HeadersAndTheFragmentNumber() throws Exception {
        assertThat(decode("0000 00 03 0b 6578616d706c652e636f6d 01bb"))
                .isEqualTo(new Socks5UdpHeader(0, Socks5AddressType.DOMAIN, "example.com", 443));
        assertThat(decode("0000 02 04 20010db8000000000000000000000001 1f90"))
                .isEqualTo(new Socks5UdpHeader(2, Socks5AddressType.IPv6, "2001:db8::1", 8080));
    }

    @Test
    void encodeDecodeRoundTrip() throws Exception {
        for (Socks5UdpHeader h : new Socks5UdpHeader[] {
            new Socks5UdpHeader(0, Socks5AddressType.IPv4, "127.0.0.99", 7),
            new Socks5UdpHeader(0, Socks5AddressType.DOMAIN, "a.example", 65535),
            new Socks5UdpHeader(0, Socks5AddressType.IPv6, "::1", 1)
        }) {
            ByteBuf b = Unpooled.buffer();
            h.encode(b);
            assertThat(Socks5UdpHeader.decode(b)).isEqualTo(h);
            assertThat(b.isReadable()).isFalse();
            b.release();
        }
    }

    @Test
    void tooShortIsMalformed() {
        assertThatThrownBy(() -> decode("0000 00 01 7f0000")).isInstanceOf(Socks5UdpHeader.MalformedException.class);
    }

    @Test
    void nonZeroReservedIsMalformed() {
        assertThatThrownBy(() -> decode("0100 00 01 7f000001 0035"))
                .isInstanceOf(Socks5UdpHeader.MalformedException.class)
                .hasMessageContaining("RSV");
    }

    @Test
    void unknownAddressTypeIsMalformed() {
        assertThatThrownBy(() -> decode("0000 00 02 7f000001 0035"))
                .isInstanceOf(Socks5UdpHeader.MalformedException.class)
                .hasMessageContaining("ATYP");
    }

    @Test
    void truncatedDomainIsMalformed() {
        assertThatThrownBy(() -> decode("0000 00 03 20 6578616d706c65 0035"))
                .isInstanceOf(Socks5UdpHeader.MalformedException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedIpv6IsMalformed() {
        assertThatThrownBy(() -> decode("0000 00 04 20010db800000000 0035"))
                .isInstanceOf(Socks5UdpHeader.MalformedException.class);
    }

    @Test
    void emptyDomainIsMalformed() {
        assertThatThrownBy(() -> decode("0000 00 03 00 0035 000000"))
                .isInstanceOf(Socks5UdpHeader.MalformedException.class)
                .hasMessageContaining("empty");
    }
}
