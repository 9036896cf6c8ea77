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
package org.masquerelay.sim;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One updating status line on stderr for long runs: done/total, rate and ETA. It is drawn only
 * on a terminal ({@link System#console()}), so CI logs and redirected output never see it.
 */
public final class Progress implements AutoCloseable {
    private final String label;
    private final long total;
    private final AtomicLong done;
    private final PrintStream err;
    private final long started = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;

    private Progress(String label, long total, AtomicLong done, PrintStream err, boolean enabled) {
        this.label = label;
        this.total = total;
        this.done = done;
        this.err = err;
        thread = new Thread(this::loop, "sim-progress");
        thread.setDaemon(true);
        if (enabled) {
            thread.start();
        }
    }

    /** A progress line for {@code total} units counted in {@code done}, shown only on a terminal. */
    public static Progress start(String label, long total, AtomicLong done) {
        return new Progress(label, total, done, System.err, System.console() != null);
    }

    private void loop() {
        while (running) {
            err.print("\r" + line(label, done.get(), total, (System.nanoTime() - started) / 1e9) + "\u001b[K");
            err.flush();
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The text of the line: {@code label 1,200/5,000  3,400/s  ETA 1s}. */
    static String line(String label, long done, long total, double seconds) {
        double rate = seconds <= 0 ? 0 : done / seconds;
        String eta = rate <= 0 ? "?" : Math.round((total - done) / rate) + "s";
        return String.format(Locale.ROOT, "%s %,d/%,d  %,.0f/s  ETA %s", label, done, total, rate, eta);
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            running = false;
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
