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
import static org.masquerelay.proxy.ChannelBytes.channel;
import static org.masquerelay.proxy.ChannelBytes.in;
import static org.masquerelay.proxy.ChannelBytes.out;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.masquerelay.client.ProxyResponseException;
import org.masquerelay.protocol.Hex;

/** The SOCKS5 negotiation of RFC 1928 and RFC 1929, byte by byte, against a stand-in upstream. */
class Socks5ServerHandlerTest {
    private final ProxyStats stats = new ProxyStats(() -> 0, () -> 0, () -> 0, java.util.Optional::empty);
    private final FakeUpstream upstream = new FakeUpstream();

    @AfterEach
    void theFlowTimesOut() {
        // As the pool's timeout would: whatever a pending flow holds is released.
        upstream.answer.completeExceptionally(new TimeoutException());
    }

    private EmbeddedChannel socks(SocksCredentials credentials) {
        return channel(p -> new Socks5ServerHandler(upstream, credentials, new FlowMeter(stats), stats).install(p));
    }

    private static SocksCredentials alice() throws Exception {
        return SocksCredentials.parse(List.of("alice:wonderland"), "test");
    }

    @Test
    void noAuthGreetingThenConnectToADomainPassesTheNameUnresolved() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 00")); // VER 5, NMETHODS 1, NO AUTHENTICATION REQUIRED
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 00"));
        // VER CMD=CONNECT RSV ATYP=DOMAIN len "example.com" port 443
        in(ch, Hex.bytes("05 01 00 03 0b 6578616d706c652e636f6d 01bb"));
        assertThat(upstream.targets).containsExactly("example.com 443");
        assertThat(out(ch)).as("no reply before the egress answers").isEmpty();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void ipv4AndIpv6LiteralsArePassedAsText() {
        EmbeddedChannel v4 = socks(null);
        in(v4, Hex.bytes("05 01 00  05 01 00 01 c0000201 0050")); // greeting and command in one read
        assertThat(out(v4)).isEqualTo(Hex.bytes("05 00"));
        EmbeddedChannel v6 = socks(null);
        in(v6, Hex.bytes("05 01 00"));
        in(v6, Hex.bytes("05 01 00 04 20010db8000000000000000000000001 1f90"));
        assertThat(upstream.targets).containsExactly("192.0.2.1 80", "2001:db8::1 8080");
        v4.finishAndReleaseAll();
        v6.finishAndReleaseAll();
    }

    @Test
    void aMessageSplitAcrossReadsIsReassembled() {
        EmbeddedChannel ch = socks(null);
        for (byte b : Hex.bytes("05 02 02 00")) {
            in(ch, new byte[] {b});
        }
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 00"));
        ch.finishAndReleaseAll();
    }

    @Test
    void egressRefusalsBecomeReplyCodesAndClose() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 00"));
        out(ch);
        in(ch, Hex.bytes("05 01 00 01 0a010203 0050"));
        upstream.answer.completeExceptionally(
                new ProxyResponseException("egress", 403, "egress; error=destination_ip_prohibited"));
        // REP X'02' connection not allowed by ruleset, BND 0.0.0.0:0
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 02 00 01 00000000 0000"));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aTimeoutBecomesTtlExpired() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 00"));
        out(ch);
        in(ch, Hex.bytes("05 01 00 03 04 736c6f77 0050"));
        upstream.answer.completeExceptionally(new TimeoutException());
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 06 00 01 00000000 0000"));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void greetingWithAnotherVersionIsMalformedAndClosesWithoutReply() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("04 01 0050 7f000001 00")); // a SOCKS4 CONNECT
        assertThat(out(ch)).isEmpty();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void noAcceptableMethodIsAnsweredFFAndCloses() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 01")); // GSSAPI only
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 ff"));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void bindIsNotSupported() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 00"));
        out(ch);
        in(ch, Hex.bytes("05 02 00 01 7f000001 0050"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 07 00 01 00000000 0000"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(upstream.targets).isEmpty();
    }

    @Test
    void commandWithAnUnknownAddressTypeIsMalformed() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 00"));
        out(ch);
        in(ch, Hex.bytes("05 01 00 09 7f000001 0050"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 01 00 01 00000000 0000"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(upstream.targets).isEmpty();
    }

    @Test
    void udpAssociateWithoutARelayConnectionFails() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 00"));
        out(ch);
        in(ch, Hex.bytes("05 03 00 01 00000000 0000"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 01 00 01 00000000 0000"));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void withCredentialsOnlyUsernamePasswordIsOffered() throws Exception {
        EmbeddedChannel ch = socks(alice());
        in(ch, Hex.bytes("05 01 00"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 ff"));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void wrongPasswordFailsAndCloses() throws Exception {
        EmbeddedChannel ch = socks(alice());
        in(ch, Hex.bytes("05 02 00 02"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 02"));
        // RFC 1929: VER 1, ULEN 5 "alice", PLEN 5 "wrong"
        in(ch, Hex.bytes("01 05 616c696365 05 77726f6e67"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("01 ff")); // any non-zero STATUS is a failure
        assertThat(ch.isOpen()).isFalse();
        assertThat(upstream.targets).isEmpty();
    }

    @Test
    void rightPasswordLeadsToTheCommand() throws Exception {
        EmbeddedChannel ch = socks(alice());
        in(ch, Hex.bytes("05 01 02"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 02"));
        in(ch, Hex.bytes("01 05 616c696365 0a 776f6e6465726c616e64"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("01 00"));
        in(ch, Hex.bytes("05 01 00 03 01 61 0050"));
        assertThat(upstream.targets).containsExactly("a 80");
        ch.finishAndReleaseAll();
    }

    @Test
    void malformedPasswordRequestCloses() throws Exception {
        EmbeddedChannel ch = socks(alice());
        in(ch, Hex.bytes("05 01 02"));
        out(ch);
        in(ch, Hex.bytes("07 01 61 01 62")); // sub-negotiation version 7
        assertThat(out(ch)).isEmpty();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void bytesSentBehindTheCommandAreHeldUntilTheStreamOpens() {
        EmbeddedChannel ch = socks(null);
        in(ch, Hex.bytes("05 01 00"));
        out(ch);
        in(ch, Hex.bytes("05 01 00 01 7f000001 0050  474554")); // optimistic "GET"
        assertThat(upstream.targets).containsExactly("127.0.0.1 80");
        // The stream never opens here: the held bytes are released when the flow fails.
        upstream.answer.completeExceptionally(
                new ProxyResponseException("egress", 502, "egress; error=connection_refused"));
        assertThat(out(ch)).isEqualTo(Hex.bytes("05 05 00 01 00000000 0000"));
        assertThat(ch.isOpen()).isFalse();
    }
}
