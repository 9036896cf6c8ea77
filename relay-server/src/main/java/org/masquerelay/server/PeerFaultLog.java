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

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every client connection: errors that reach the end of a connection's
 * pipeline are peer faults (an undecryptable or malformed packet, a protocol violation, a broken
 * control stream), and anyone can cause them by sending junk. Without this handler Netty logs
 * each at WARN with a 3 KB stack trace, so a junk flood became a log flood (140 MB in 10 s).
 *
 * <p>Each fault is logged at DEBUG with its stack trace. At INFO there is at most one line per
 * {@value #SUMMARY_SECONDS} seconds per relay: how many faults there were and the last one's type
 * and message, without a stack trace and without the peer's address. Sharable; one per relay.
 */
@ChannelHandler.Sharable
final class PeerFaultLog extends ChannelInboundHandlerAdapter {
    static final int SUMMARY_SECONDS = 10;

    private final Logger log;
    private final String relay;
    private final AtomicLong faults = new AtomicLong();
    /** The first fault is reported at once, the rest at most every {@value #SUMMARY_SECONDS} s. */
    private final AtomicLong lastSummaryNanos =
            new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(SUMMARY_SECONDS));

    private final AtomicReference<String> last = new AtomicReference<>("");

    PeerFaultLog(String relay) {
        this.relay = relay;
        this.log = LoggerFactory.getLogger(PeerFaultLog.class.getName() + "." + relay);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: connection error from a peer", relay, cause);
        faults.incrementAndGet();
        last.set(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        long now = System.nanoTime();
        long then = lastSummaryNanos.get();
        if (now - then >= TimeUnit.SECONDS.toNanos(SUMMARY_SECONDS) && lastSummaryNanos.compareAndSet(then, now)) {
            long n = faults.getAndSet(0);
            if (log.isInfoEnabled()) {
                log.info(
                        "{}: {} connection error(s) caused by peers since the last report, the last: {} (DEBUG"
                                + " shows each; at most one such line per {} s)",
                        relay,
                        n,
                        last.get(),
                        SUMMARY_SECONDS);
            }
        }
    }
}
