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
