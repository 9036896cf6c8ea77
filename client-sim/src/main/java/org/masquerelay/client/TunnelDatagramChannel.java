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
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.internal.StringUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.tunnel.DatagramTunnelHandler;

/**
 * The inner QUIC connection's "UDP socket": a datagram channel that lives only in memory and
 * whose other end is the connect-udp tunnel through the ingress (docs/architecture.md §3).
 *
 * <p>Netty's QUIC codec reads and writes {@link DatagramPacket}s on a parent channel. Before this
 * channel existed the client joined its inner connection to the tunnel through a pair of
 * connected UDP sockets on 127.0.0.1, which cost a loopback crossing, a {@code sendmsg} and a
 * {@code recvmmsg} share per inner packet each way. Here a packet the codec writes is handed to
 * {@link DatagramTunnelHandler#sendToPeer} on the spot, and a payload from the tunnel is fired
 * into the codec as a {@code DatagramPacket} from {@code remote}.
 *
 * <p>Two details matter for speed and correctness (docs/performance.md):
 *
 * <ul>
 *   <li>The payload is passed as a {@link ByteBuf#slice() slice}: Netty's QUIC header parser
 *       reads from index 0 of the buffer, not from its reader index, and the tunnel's payload
 *       starts after the HTTP Datagram's context id.
 *   <li>The read batch ends once per event-loop turn, not once per tunnel datagram: the codec
 *       processes and acknowledges at read-complete, so ending the batch per outer datagram
 *       would send an ACK-bearing packet for nearly every inner packet.
 * </ul>
 *
 * <p>The channel must be registered on the tunnel stream's event loop; every method runs there.
 * Bind, connect and disconnect are refused: the addresses are fixed at construction.
 */
final class TunnelDatagramChannel extends AbstractChannel implements DatagramTunnelHandler.Local {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    /** Most inner packets per read batch; {@code IoTransport}'s UDP sockets read up to 16 at a time. */
    static final int MAX_BATCH = 16;

    private final ChannelConfig config = new DefaultChannelConfig(this);
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private @Nullable DatagramTunnelHandler tunnel;
    private @Nullable ForwardingClient forwarding;
    private boolean open = true;
    private boolean readCompletePending;
    /** Packets fired since the last read-complete. */
    private int batched;

    private final Runnable readComplete = this::readComplete;

    /**
     * @param local the address the inner connection believes it sends from
     * @param remote the inner connection's peer, the egress
     */
    TunnelDatagramChannel(InetSocketAddress local, InetSocketAddress remote) {
        super(null);
        this.local = local;
        this.remote = remote;
    }

    /** Joins the channel to the tunnel it writes to; call before the first write. */
    void tunnel(DatagramTunnelHandler tunnel) {
        this.tunnel = tunnel;
    }

    /** Lets {@code forwarding} see every packet and send short headers past the tunnel (docs/quic-forwarding.md). */
    void forwarding(ForwardingClient forwarding) {
        this.forwarding = forwarding;
    }

    // --- from the tunnel ---

    @Override
    public void fromPeer(ByteBuf payload) {
        if (!isActive()) {
            payload.release();
            return;
        }
        ForwardingClient f = forwarding;
        if (f != null) {
            f.observeTunnelled(payload);
        }
        pipeline().fireChannelRead(new DatagramPacket(payload.slice(), local, remote));
        if (++batched >= MAX_BATCH) {
            // A tunnel on a stream (DATAGRAM capsules, over QUIC or HTTP/2 on TCP) can deliver
            // hundreds of packets in one read of the outer connection; one read-complete for all
            // would mean one ACK for all, and the egress would stall on its congestion window
            // until it came. The same bound as a UDP socket's recvmmsg batch.
            readComplete();
            return;
        }
        if (!readCompletePending) {
            readCompletePending = true;
            // Runs after the I/O the loop is processing now, so one batch covers every datagram
            // the outer connection delivered in this turn.
            eventLoop().execute(readComplete);
        }
    }

    private void readComplete() {
        readCompletePending = false;
        batched = 0;
        if (isActive()) {
            pipeline().fireChannelReadComplete();
        }
    }

    @Override
    public void closed() {
        if (isRegistered()) {
            close();
        } else {
            open = false; // never registered: nothing to deregister or notify
        }
    }

    // --- to the tunnel ---

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof DatagramPacket) {
            return msg;
        }
        throw new UnsupportedOperationException(
                "unsupported message type: " + StringUtil.simpleClassName(msg) + " (expected: DatagramPacket)");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        DatagramTunnelHandler t = tunnel;
        if (t == null) {
            throw new ClosedChannelException(); // not joined to a tunnel yet: nowhere to send
        }
        ForwardingClient f = forwarding;
        boolean wrote = false;
        for (Object msg = in.current(); msg != null; msg = in.current()) {
            ByteBuf content = ((DatagramPacket) msg).content();
            if (f == null || !f.trySend(content)) {
                // sendToPeer takes ownership; remove() releases the packet, hence the retain.
                t.sendToPeer(content.retain());
                wrote = true;
            }
            in.remove();
        }
        if (wrote) {
            t.flush();
        }
        if (f != null) {
            f.flush();
        }
    }

    // --- channel plumbing ---

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(
                    SocketAddress remoteAddress, @Nullable SocketAddress localAddress, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("a tunnel channel's peer is fixed"));
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true; // no file descriptor: any event loop can run it
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a tunnel channel's address is fixed");
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException("a tunnel channel's peer is fixed");
    }

    @Override
    protected void doClose() {
        open = false;
        DatagramTunnelHandler t = tunnel;
        if (t != null) {
            t.close();
        }
    }

    @Override
    protected void doBeginRead() {
        // Reads are pushed by the tunnel.
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && isRegistered();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }
}
