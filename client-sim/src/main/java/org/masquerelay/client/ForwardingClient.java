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
package org.masquerelay.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.capsule.Capsule;
import org.masquerelay.protocol.capsule.CapsuleEncoder;
import org.masquerelay.protocol.quicproxy.MalformedQuicProxyException;
import org.masquerelay.protocol.quicproxy.PacketTransform;
import org.masquerelay.protocol.quicproxy.ProxyQuicForwarding;
import org.masquerelay.protocol.quicproxy.QuicPackets;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.AckClientCid;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.AckClientVcid;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.AckTargetCid;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.CloseClientCid;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.CloseTargetCid;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.MaxConnectionIds;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.RegisterClientCid;
import org.masquerelay.protocol.quicproxy.QuicProxyCapsule.RegisterTargetCid;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;

/**
 * The client's side of forwarded mode for one tunnel (draft-ietf-masque-quic-proxy §6, §7;
 * docs/quic-forwarding.md). The inner connection does not know about it: the tunnel channel shows
 * every packet here first.
 *
 * <ul>
 *   <li>The first Initial the inner connection sends names our connection ID: it is registered
 *       (REGISTER_CLIENT_CID). The ingress answers with a virtual ID, which we acknowledge
 *       (ACK_CLIENT_VCID); from then on, short-header packets from the egress may arrive on the
 *       outer socket with that virtual ID, and {@link Receiver} hands them to the inner
 *       connection.
 *   <li>The first Initial or Handshake packet from the egress names its connection ID: it is
 *       registered (REGISTER_TARGET_CID). Once the ingress answers with a virtual ID, short-header
 *       packets to the egress leave the outer socket directly, with that virtual ID, encoded with
 *       our scramble key.
 * </ul>
 *
 * Long headers, packets to any other connection ID, and everything before the acknowledgements
 * stay tunnelled, so a refused registration, or an ingress that does not forward, costs nothing
 * but speed. While forwarding, the outer connection may carry nothing for a long time; a padding
 * capsule every {@link #KEEPALIVE_SECONDS} seconds keeps it from idling out (§7.4). Runs on the
 * client's event loop.
 */
final class ForwardingClient implements DatagramTunnelHandler.CapsuleListener {
    /** Transforms we offer, best first. */
    static final List<String> OFFER = List.of(PacketTransform.Scramble.NAME);

    /** Well inside the 30 s idle timeout of the outer connection. */
    static final int KEEPALIVE_SECONDS = 10;

    /** A reserved capsule type (RFC 9297 §3.2, 0x29 * N + 0x17), which every receiver skips. */
    private static final long PADDING_CAPSULE = 0x17;

    private static final byte[] NO_TOKEN = new byte[0];

    /** Counters the benchmark and the tests read. */
    static final class Stats {
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
    }

    private final List<String> offered;
    private final byte[] ownKey;
    private final Stats stats;
    private @Nullable PacketTransform encoder;
    private @Nullable PacketTransform decoder;
    private @Nullable DatagramTunnelHandler tunnel;
    private @Nullable TunnelDatagramChannel inner;
    private @Nullable ChannelHandlerContext outerSocket;
    private @Nullable InetSocketAddress ingress;
    private byte @Nullable [] clientCid;
    private byte @Nullable [] clientVcid;
    private byte @Nullable [] targetCid;
    private byte @Nullable [] targetVcid;
    private boolean flushPending;
    private @Nullable ScheduledFuture<?> keepalive;

    ForwardingClient(List<String> offered, SecureRandom random, Stats stats) {
        this.offered = List.copyOf(offered);
        this.ownKey = PacketTransform.Scramble.newKey(random);
        this.stats = stats;
    }

    /** The {@code Proxy-QUIC-Forwarding} value of our connect-udp request (§4). */
    String offerField() {
        return ProxyQuicForwarding.offer(offered, ownKey).toFieldValue();
    }

    /**
     * Reads the ingress's answer in the 2xx. False: the ingress does not forward (no field,
     * {@code ?0}, or no transform), and the tunnel stays tunnelled.
     *
     * @throws UncheckedIOException if the ingress chose a transform we did not offer, or a
     *     scramble without a key: §4 and §7.3.2 say the request must then be aborted
     */
    boolean accept(Http3Headers response) {
        CharSequence value = response.get(ProxyQuicForwarding.FIELD);
        if (value == null) {
            return false;
        }
        ProxyQuicForwarding answer;
        try {
            answer = ProxyQuicForwarding.parse(value.toString());
        } catch (MalformedQuicProxyException e) {
            return false; // RFC 8941 §4.2: an unparsable field is ignored
        }
        String t = answer.transform().orElse(null);
        if (!answer.enabled() || t == null) {
            return false;
        }
        if (!offered.contains(t)) {
            throw new UncheckedIOException(new IOException(
                    "the ingress chose the forwarding transform '" + t + "', which this client did not offer"));
        }
        if (t.equals(PacketTransform.Scramble.NAME)) {
            byte[] key = answer.scrambleKey().orElse(null);
            if (key == null || key.length != PacketTransform.Scramble.KEY_LENGTH) {
                throw new UncheckedIOException(
                        new IOException("the ingress chose scramble forwarding without a 32-byte scramble-key"));
            }
            encoder = new PacketTransform.Scramble(ownKey);
            decoder = new PacketTransform.Scramble(key);
        } else {
            encoder = new PacketTransform.Identity();
            decoder = new PacketTransform.Identity();
        }
        return true;
    }

    /** Joins the tunnel once {@link #accept} said yes. */
    void join(
            DatagramTunnelHandler tunnel,
            TunnelDatagramChannel inner,
            ChannelHandlerContext outerSocket,
            InetSocketAddress ingress) {
        this.tunnel = tunnel;
        this.inner = inner;
        this.outerSocket = outerSocket;
        this.ingress = ingress;
        tunnel.capsuleListener(this);
        keepalive = outerSocket
                .executor()
                .scheduleAtFixedRate(this::keepalive, KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
        tunnel.stream().closeFuture().addListener(f -> stop());
    }

    private void keepalive() {
        DatagramTunnelHandler t = tunnel;
        if (t != null && targetVcid != null) {
            t.sendCapsule(
                    CapsuleEncoder.encode(t.stream().alloc(), PADDING_CAPSULE, io.netty.buffer.Unpooled.EMPTY_BUFFER));
        }
    }

    private void stop() {
        ScheduledFuture<?> k = keepalive;
        if (k != null) {
            k.cancel(false);
        }
        targetVcid = null;
        clientVcid = null;
    }

    // --- inner connection to egress ---

    /**
     * A packet the inner connection wrote: true if it went out forwarded (this method then took a
     * reference of its own), false to leave it to the tunnel.
     */
    boolean trySend(ByteBuf packet) {
        byte[] vcid = targetVcid;
        if (vcid != null) {
            byte[] cid = targetCid;
            PacketTransform e = encoder;
            ChannelHandlerContext out = outerSocket;
            if (cid != null
                    && e != null
                    && out != null
                    && QuicPackets.isShortHeader(packet)
                    && QuicPackets.dcidEquals(packet, cid)
                    && packet.readableBytes() - cid.length >= e.minLength(0)) {
                ByteBuf p = QuicPackets.replaceDcid(packet.retain(), cid.length, vcid, out.alloc());
                e.encode(p, vcid.length);
                out.write(new DatagramPacket(p, ingress), out.voidPromise());
                flushPending = true;
                stats.sent.increment();
                return true;
            }
            return false;
        }
        if (clientCid == null && QuicPackets.longHeaderType(packet) == QuicPackets.TYPE_INITIAL) {
            byte[] scid = QuicPackets.longHeaderScid(packet);
            if (scid != null) {
                clientCid = scid;
                send(new RegisterClientCid(scid));
            }
        }
        return false;
    }

    /** The end of a batch of {@link #trySend}. */
    void flush() {
        ChannelHandlerContext out = outerSocket;
        if (flushPending && out != null) {
            flushPending = false;
            out.flush();
        }
    }

    /** A packet from the tunnel, on its way to the inner connection: may name the egress's ID. */
    void observeTunnelled(ByteBuf packet) {
        int type = QuicPackets.longHeaderType(packet);
        // A server's Initial or Handshake names its final ID (RFC 9000 §7.2); a Retry (type 3)
        // names one that is about to change.
        if (targetCid == null && (type == QuicPackets.TYPE_INITIAL || type == QuicPackets.TYPE_HANDSHAKE)) {
            byte[] scid = QuicPackets.longHeaderScid(packet);
            if (scid != null) {
                targetCid = scid;
                send(new RegisterTargetCid(scid, NO_TOKEN));
            }
        }
    }

    // --- egress to inner connection ---

    /** A packet on the outer socket: true if it was forwarded to us (and is now owned here). */
    boolean tryReceive(DatagramPacket packet) {
        byte[] vcid = clientVcid;
        byte[] cid = clientCid;
        PacketTransform d = decoder;
        TunnelDatagramChannel in = inner;
        ByteBuf content = packet.content();
        if (vcid == null
                || cid == null
                || d == null
                || in == null
                || !QuicPackets.isShortHeader(content)
                || !QuicPackets.dcidEquals(content, vcid)
                || !packet.sender().equals(ingress)) {
            return false;
        }
        if (content.readableBytes() < d.minLength(vcid.length)) {
            packet.release();
            return true; // ours but malformed: nothing the outer connection could use either
        }
        d.decode(content, vcid.length);
        ByteBuf p = QuicPackets.replaceDcid(content, vcid.length, cid, in.alloc());
        stats.received.increment();
        in.fromPeer(p);
        return true;
    }

    // --- capsules from the ingress ---

    @Override
    public void onCapsule(Capsule capsule) {
        if (!QuicProxyCapsule.isQuicProxyType(capsule.type())) {
            return;
        }
        QuicProxyCapsule c = QuicProxyCapsule.decode(capsule);
        if (c instanceof AckClientCid a) {
            if (clientCid != null && Arrays.equals(a.cid(), clientCid) && a.vcid().length > 0) {
                clientVcid = a.vcid();
                send(new AckClientVcid(a.cid(), a.vcid(), NO_TOKEN));
            }
        } else if (c instanceof AckTargetCid a) {
            if (targetCid != null && Arrays.equals(a.cid(), targetCid) && a.vcid().length > 0) {
                targetVcid = a.vcid();
            }
        } else if (c instanceof CloseClientCid x) {
            if (clientCid != null && Arrays.equals(x.cid(), clientCid)) {
                clientVcid = null; // refused or withdrawn: the egress's packets come tunnelled
            }
        } else if (c instanceof CloseTargetCid x) {
            if (targetCid != null && Arrays.equals(x.cid(), targetCid)) {
                targetVcid = null; // refused or withdrawn: back to tunnelled
            }
        } else if (c instanceof MaxConnectionIds m) {
            if (m.maxSequence() < 1) {
                throw new MalformedQuicProxyException("MAX_CONNECTION_IDS below 1 (§6.7)");
            }
        } else {
            throw new MalformedQuicProxyException(
                    "capsule type 0x" + Long.toHexString(c.type()) + " may only be sent by a client (§6)");
        }
    }

    private void send(QuicProxyCapsule c) {
        DatagramTunnelHandler t = tunnel;
        if (t != null) {
            t.sendCapsule(c.encode(t.stream().alloc()));
        }
    }

    /** In front of the outer connection's QUIC codec: takes the packets forwarded to us. */
    static final class Receiver extends ChannelInboundHandlerAdapter {
        private @Nullable ForwardingClient client;
        private @Nullable ChannelHandlerContext ctx;

        void client(ForwardingClient client) {
            this.client = client;
        }

        @Nullable
        ChannelHandlerContext context() {
            return ctx;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ForwardingClient c = client;
            if (c != null && msg instanceof DatagramPacket p && c.tryReceive(p)) {
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
