package org.masquerelay.proxy;

import io.netty.handler.codec.quic.QuicStreamChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Records what the handlers ask for and answers with a future the test completes. */
final class FakeUpstream implements UpstreamConnector {
    final List<String> targets = new ArrayList<>();
    final CompletableFuture<QuicStreamChannel> answer = new CompletableFuture<>();

    @Override
    public CompletableFuture<QuicStreamChannel> openTcp(String host, int port, Consumer<QuicStreamChannel> onOpen) {
        targets.add(host + " " + port);
        return answer;
    }

    @Override
    public UdpSession udpSession() throws IOException {
        throw new IOException("no relay connection in this test");
    }
}
