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
package org.masquerelay.ingress.forwarding;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.capsule.Capsule;
import org.masquerelay.protocol.quicproxy.MalformedQuicProxyException;
import org.masquerelay.protocol.quicproxy.PacketTransform;
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
import org.masquerelay.protocol.tunnel.UdpSocketBridge;

/**
 * Forwarded mode for one connect-udp tunnel at the ingress (draft-ietf-masque-quic-proxy §6, §7).
 * It answers the client's connection-ID capsules, and moves packets both ways without the outer
 * connection:
 *
 * <ul>
 *   <li>client to egress: the filter hands over a short-header packet carrying one of our target
 *       virtual IDs; it is decoded with the client's transform key, given back the egress's real
 *       connection ID, and written to the tunnel's socket;
 *   <li>egress to client: a short-header packet from the egress for a client ID whose virtual ID
 *       the client acknowledged gets that virtual ID, is encoded with our key, and leaves from the
 *       listening socket to the client's address, the 4-tuple of its outer connection (§7.1).
 * </ul>
 *
 * Everything else (long headers, IDs not registered, packets too short for the transform) stays
 * tunnelled. The egress still sees only the ingress's address; the ingress still sees only the
 * egress's (docs/architecture.md §2).
 *
 * <p>Registrations follow §6: each tunnel may use sequence numbers up to its limit (1 at first,
 * raised by one for each ID the client closes); each client connection holds at most a configured
 * number over all its tunnels; an ID that is a prefix of, or equal to, one already registered in
 * the tunnel is a conflict (§6.8), as is one shorter than 4 bytes. A refusal is a CLOSE capsule
 * for that ID. Capsules only a proxy may send reset the stream. Runs on the stream's event loop.
 */
public final class ForwardingSession implements UdpSocketBridge.Diverter, DatagramTunnelHandler.CapsuleListener {
    /** Shorter client or target IDs conflict too easily to route by (§6.8 lets us refuse them). */
    static final int MIN_CID_LENGTH = 4;

    /** QUIC v1's longest connection ID (RFC 9000 §17.2). */
    static final int MAX_CID_LENGTH = 20;

    /** Virtual IDs are random and at least this long, so they neither collide nor can be guessed (§11.3). */
    static final int MIN_VCID_LENGTH = 8;

    private static final byte[] NO_TOKEN = new byte[0];

    private static final class ClientId {
        final byte[] cid;
        final byte[] vcid;
        boolean acked;

        ClientId(byte[] cid, byte[] vcid) {
            this.cid = cid;
            this.vcid = vcid;
        }
    }

    private final QuicForwarding owner;
    private final QuicStreamChannel stream;
    private final QuicChannel connection;
    private final InetSocketAddress client;
    private final QuicForwarding.Negotiated negotiated;
    /** Made on the first forwarded packet: an idle tunnel holds no cipher state. */
    private @Nullable PacketTransform decoder;

    private @Nullable PacketTransform encoder;
    private final List<ClientId> clientIds = new ArrayList<>(1);
    private final List<ForwardingTable.Route> targets = new ArrayList<>(1);
    private @Nullable DatagramTunnelHandler tunnel;
    private @Nullable Channel egress;
    private @Nullable ChannelHandlerContext listener;
    private long nextSequence;
    private long maxSequence = 1; // §6.7: the initial limit
    private boolean egressFlushPending;
    private boolean clientFlushPending;
    private boolean closed;

    ForwardingSession(QuicForwarding owner, QuicStreamChannel stream, QuicForwarding.Negotiated negotiated) {
        this.owner = owner;
        this.stream = stream;
        this.connection = stream.parent();
        this.client = (InetSocketAddress) connection.remoteSocketAddress();
        this.negotiated = negotiated;
    }

    /**
     * Joins the session to its tunnel once the socket toward the egress is connected: capsules on
     * the stream come here from now on, and the session ends with the stream.
     */
    public void attach(UdpSocketBridge bridge, Channel egressSocket) {
        DatagramTunnelHandler t = bridge.tunnelHandler();
        t.capsuleListener(this);
        this.tunnel = t;
        this.egress = egressSocket;
        Channel socket = connection.parent();
        this.listener = socket == null ? null : socket.pipeline().context(ForwardedPacketFilter.class);
        stream.closeFuture().addListener(f -> close());
    }

    // --- capsules ---

    @Override
    public void onCapsule(Capsule capsule) {
        if (!QuicProxyCapsule.isQuicProxyType(capsule.type()) || closed) {
            return;
        }
        QuicProxyCapsule c = QuicProxyCapsule.decode(capsule);
        if (c instanceof RegisterClientCid r) {
            registerClient(r.cid());
        } else if (c instanceof RegisterTargetCid r) {
            registerTarget(r.cid());
        } else if (c instanceof AckClientVcid a) {
            for (ClientId id : clientIds) {
                if (Arrays.equals(id.cid, a.cid()) && Arrays.equals(id.vcid, a.vcid())) {
                    id.acked = true; // §6.5: from now on we may forward to this virtual ID
                }
            }
        } else if (c instanceof CloseClientCid x) {
            if (clientIds.removeIf(id -> Arrays.equals(id.cid, x.cid()))) {
                released();
            }
        } else if (c instanceof CloseTargetCid x) {
            for (ForwardingTable.Route r : List.copyOf(targets)) {
                if (Arrays.equals(r.cid(), x.cid())) {
                    owner.table().remove(r);
                    targets.remove(r);
                    released();
                }
            }
        } else {
            throw new MalformedQuicProxyException(
                    "capsule type 0x" + Long.toHexString(c.type()) + " may only be sent by a proxy (§6)");
        }
    }

    private void registerClient(byte[] cid) {
        String refusal = refusal(cid, clientIds.stream().map(id -> id.cid).toList());
        if (refusal != null) {
            owner.metrics().registration("client", refusal);
            send(new CloseClientCid(cid));
            return;
        }
        ClientId id = new ClientId(cid, randomId(cid.length));
        clientIds.add(id);
        owner.metrics().registration("client", "accepted");
        send(new AckClientCid(cid, id.vcid));
    }

    private void registerTarget(byte[] cid) {
        String refusal =
                refusal(cid, targets.stream().map(ForwardingTable.Route::cid).toList());
        if (refusal != null) {
            owner.metrics().registration("target", refusal);
            send(new CloseTargetCid(cid));
            return;
        }
        ForwardingTable.Route route;
        do { // a 64-bit or longer random ID is taken only by chance; draw again then
            route = new ForwardingTable.Route(client, this, randomId(cid.length), cid);
        } while (!owner.table().add(route));
        targets.add(route);
        owner.metrics().registration("target", "accepted");
        send(new AckTargetCid(cid, route.vcid(), NO_TOKEN));
    }

    /** Why a registration of {@code cid} is refused, or null when it is taken (and a slot reserved). */
    private @Nullable String refusal(byte[] cid, List<byte[]> registered) {
        long sequence = nextSequence++;
        if (sequence > maxSequence) {
            return "over_tunnel_limit"; // §6.7: beyond what we allowed
        }
        if (cid.length < MIN_CID_LENGTH || cid.length > MAX_CID_LENGTH) {
            return "bad_length";
        }
        for (byte[] other : registered) {
            if (isPrefix(cid, other) || isPrefix(other, cid)) {
                return "conflict"; // §6.8
            }
        }
        if (!owner.reserve(connection)) {
            return "over_connection_limit";
        }
        return null;
    }

    /** A registration ended: its slot goes back, and the client may register one more (§6.7). */
    private void released() {
        owner.unreserve(connection);
        maxSequence++;
        send(new MaxConnectionIds(maxSequence));
    }

    private static boolean isPrefix(byte[] a, byte[] b) {
        return a.length <= b.length && Arrays.equals(a, 0, a.length, b, 0, a.length);
    }

    private byte[] randomId(int cidLength) {
        byte[] id = new byte[Math.max(cidLength, MIN_VCID_LENGTH)];
        owner.random().nextBytes(id);
        return id;
    }

    private void send(QuicProxyCapsule c) {
        DatagramTunnelHandler t = tunnel;
        if (t != null) {
            t.sendCapsule(c.encode(stream.alloc()));
        }
    }

    // --- client to egress ---

    /**
     * A forwarded packet from the client for {@code route}; takes ownership. Runs on the filter's
     * thread: when that is not the stream's (a packet that reached another listening socket), the
     * packet moves to the stream's loop first.
     *
     * @return whether the packet was written and still needs {@link #flushToEgress}
     */
    boolean fromClient(ForwardingTable.Route route, ByteBuf packet) {
        if (!stream.eventLoop().inEventLoop()) {
            stream.eventLoop().execute(() -> {
                if (toEgress(route, packet)) {
                    flushToEgress();
                }
            });
            return false;
        }
        return toEgress(route, packet);
    }

    private boolean toEgress(ForwardingTable.Route route, ByteBuf packet) {
        Channel e = egress;
        if (closed || e == null || !e.isActive()) {
            owner.metrics().dropped("tunnel_closed");
            packet.release();
            return false;
        }
        PacketTransform d = decoder();
        if (packet.readableBytes() < d.minLength(route.vcid().length)) {
            owner.metrics().dropped("too_short");
            packet.release();
            return false;
        }
        if (!e.isWritable()) {
            owner.metrics().dropped("upstream_busy");
            packet.release();
            return false;
        }
        d.decode(packet, route.vcid().length);
        ByteBuf out = QuicPackets.replaceDcid(packet, route.vcid().length, route.cid(), e.alloc());
        owner.metrics().toEgress(out.readableBytes());
        e.write(out, e.voidPromise());
        egressFlushPending = true;
        return true;
    }

    private PacketTransform decoder() {
        PacketTransform d = decoder;
        if (d == null) {
            d = negotiated.decoder();
            decoder = d;
        }
        return d;
    }

    private PacketTransform encoder() {
        PacketTransform e = encoder;
        if (e == null) {
            e = negotiated.encoder();
            encoder = e;
        }
        return e;
    }

    void flushToEgress() {
        Channel e = egress;
        if (egressFlushPending && e != null) {
            egressFlushPending = false;
            e.flush();
        }
    }

    // --- egress to client ---

    @Override
    public boolean divert(ByteBuf payload) {
        ChannelHandlerContext l = listener;
        if (closed || l == null || clientIds.isEmpty() || !QuicPackets.isShortHeader(payload)) {
            return false;
        }
        for (ClientId id : clientIds) {
            if (id.acked && QuicPackets.dcidEquals(payload, id.cid)) {
                PacketTransform e = encoder();
                if (payload.readableBytes() - id.cid.length < e.minLength(0)) {
                    return false; // too short for the transform: tunnelled
                }
                ByteBuf out = QuicPackets.replaceDcid(payload, id.cid.length, id.vcid, l.alloc());
                e.encode(out, id.vcid.length);
                owner.metrics().toClient(out.readableBytes());
                l.write(new DatagramPacket(out, client), l.voidPromise());
                clientFlushPending = true;
                return true;
            }
        }
        return false;
    }

    @Override
    public void flush() {
        ChannelHandlerContext l = listener;
        if (clientFlushPending && l != null) {
            clientFlushPending = false;
            l.flush();
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ForwardingTable.Route r : targets) {
            owner.table().remove(r);
            owner.unreserve(connection);
        }
        for (int i = 0; i < clientIds.size(); i++) {
            owner.unreserve(connection);
        }
        targets.clear();
        clientIds.clear();
    }
}
