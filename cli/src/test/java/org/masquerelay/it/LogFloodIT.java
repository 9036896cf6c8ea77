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
package org.masquerelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.masquerelay.it.LoopbackRelays.fetchExact;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.masquerelay.client.MasqueClient;
import org.slf4j.LoggerFactory;

/**
 * A junk flood must not become a log flood: undecryptable Initials and random datagrams at both
 * relays for five seconds write less than 1 KB of log per second at INFO, and the relays keep
 * serving. Before the relays caught peer faults, Netty logged each at WARN with a stack trace:
 * about 19 MB in five seconds at the ingress alone.
 */
class LogFloodIT {
    @RegisterExtension
    static final LoopbackRelays relays = new LoopbackRelays();

    /** Bytes the events at INFO and above would write, about as the shipped pattern lays them out. */
    static final class ByteCounter extends AppenderBase<ILoggingEvent> {
        final AtomicLong bytes = new AtomicLong();

        @Override
        protected void append(ILoggingEvent e) {
            if (!e.getLevel().isGreaterOrEqual(Level.INFO)) {
                return; // another test may have turned DEBUG on; INFO is the default level
            }
            long n = 80 + e.getFormattedMessage().length(); // time, level, thread, logger
            if (e.getThrowableProxy() != null) {
                n += ThrowableProxyUtil.asString(e.getThrowableProxy()).length();
            }
            bytes.addAndGet(n);
        }
    }

    @Test
    void aJunkFloodAtInfoWritesUnderOneKilobytePerSecond() throws Exception {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ByteCounter counter = new ByteCounter();
        counter.setContext(lc);
        counter.start();
        root.addAppender(counter);
        long packets = 0;
        long seconds = 5;
        try (DatagramSocket junk = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.7"), 0))) {
            SplittableRandom r = new SplittableRandom(5);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            InetSocketAddress[] targets = {
                relays.ingress().quicAddress(), relays.egress().quicAddress()
            };
            while (System.nanoTime() < end) {
                for (InetSocketAddress t : targets) {
                    // A long-header Initial (v1) with random IDs and a body no key can open...
                    byte[] initial = new byte[1200];
                    r.nextBytes(initial);
                    initial[0] = (byte) 0xc3;
                    initial[1] = 0;
                    initial[2] = 0;
                    initial[3] = 0;
                    initial[4] = 1;
                    initial[5] = 8;
                    initial[14] = 8;
                    initial[23] = 0;
                    junk.send(new DatagramPacket(initial, initial.length, t));
                    // ...and random bytes.
                    byte[] noise = new byte[100];
                    r.nextBytes(noise);
                    junk.send(new DatagramPacket(noise, noise.length, t));
                    packets += 2;
                }
                if (packets % 64 == 0) {
                    Thread.sleep(1);
                }
            }
            Thread.sleep(500); // what the relays still log about the last packets
        } finally {
            root.detachAppender(counter);
        }
        double perSecond = counter.bytes.get() / (double) seconds;
        System.out.printf(
                "log flood: %d junk packets in %d s, %.0f log bytes per second at INFO%n", packets, seconds, perSecond);
        assertThat(packets).as("junk packets sent").isGreaterThan(2_000);
        assertThat(perSecond)
                .as("log bytes per second at INFO during a flood of %d packets", packets)
                .isLessThan(1024);
        try (MasqueClient client = relays.newClient()) {
            fetchExact(client, relays.origin(), 1L << 20);
        }
    }
}
