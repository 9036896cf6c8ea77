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

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.geo.SecChGeohash;

class ProxyStatsTest {
    @Test
    void statusLineShowsUnknownLocationUntilOneIsAsserted() {
        AtomicReference<Optional<SecChGeohash>> location = new AtomicReference<>(Optional.empty());
        ProxyStats s = new ProxyStats(() -> 3, () -> 1, () -> 2, location::get);
        s.up(1536);
        s.down(3L << 20);
        assertThat(s.statusLine())
                .isEqualTo("proxy: 3 active flow(s), up 1.5 KiB, down 3.0 MiB, "
                        + "1 relay connection(s), 2 reconnect(s), location unknown");
        location.set(Optional.of(new SecChGeohash("gcpvj", "GB")));
        assertThat(s.statusLine()).endsWith("location gcpvj-GB");
    }

    @Test
    void meterHoldsAcceptedBytesUntilTheLocalWriteCompletes() {
        ProxyStats s = new ProxyStats(() -> 0, () -> 0, () -> 0, Optional::empty);
        FlowMeter m = new FlowMeter(s);
        EmbeddedChannel ch = new EmbeddedChannel(m.handler());
        m.bind(ch);
        m.bytesFromPeer(1000);
        assertThat(s.bufferedBytes()).isEqualTo(1000);
        ch.write(Unpooled.wrappedBuffer(new byte[600]));
        assertThat(s.bufferedBytes()).as("queued, not yet written").isEqualTo(1000);
        ch.flush();
        assertThat(s.bufferedBytes()).isEqualTo(400);
        assertThat(s.maxBufferedBytes()).isEqualTo(1000);
        assertThat(s.bytesDown()).isEqualTo(1000);
        ch.close();
        assertThat(s.bufferedBytes()).as("a closed flow holds nothing").isZero();
        m.bytesFromPeer(5);
        assertThat(s.bufferedBytes()).isZero();
        ch.finishAndReleaseAll();
    }
}
