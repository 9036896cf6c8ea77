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
package org.masquerelay.server;

import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicCongestionControlAlgorithm;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** QUIC server settings both relays share; each relay adds its packet size, stream limit and handler. */
public final class RelayQuic {
    private RelayQuic() {}

    /** TLS 1.3 with ALPN {@code h3} from a PEM key (PKCS#8) and certificate chain. */
    public static QuicSslContext serverTls(Path privateKey, Path certificateChain) {
        return QuicSslContextBuilder.forServer(privateKey.toFile(), null, certificateChain.toFile())
                .applicationProtocols(Http3.supportedApplicationProtocols())
                .build();
    }

    /**
     * An HTTP/3 server codec builder with the relays' common settings: 30 s idle timeout, 16 MiB
     * connection and 1 MiB stream windows, BBR, and DATAGRAM frames on with generous queues
     * (tunnelled packets ride in them; a full queue drops silently, docs/netty.md trap 5).
     */
    public static QuicServerCodecBuilder serverCodec(QuicSslContext tls) {
        return serverCodec(tls, true);
    }

    /**
     * The same; without {@code datagrams} the codec offers no DATAGRAM frames (RFC 9221 §3), and
     * tunnels then run on DATAGRAM capsules (RFC 9297 §3.5). Pair it with {@link
     * RelayConnections#datagrams(boolean)}.
     */
    public static QuicServerCodecBuilder serverCodec(QuicSslContext tls, boolean datagrams) {
        QuicServerCodecBuilder b = Http3.newQuicServerCodecBuilder()
                .sslContext(tls)
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .initialMaxData(16L << 20)
                .initialMaxStreamDataBidirectionalLocal(1L << 20)
                .initialMaxStreamDataBidirectionalRemote(1L << 20)
                .initialMaxStreamsUnidirectional(8)
                // BBR paces to the bottleneck instead of filling the socket buffers as CUBIC does,
                // so nested connections keep their RTT and stop losing to buffer overflow.
                .congestionControlAlgorithm(QuicCongestionControlAlgorithm.BBR);
        return datagrams ? b.datagram(4096, 4096) : b;
    }
}
