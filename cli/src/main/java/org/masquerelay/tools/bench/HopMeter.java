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
package org.masquerelay.tools.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Per-hop accounting for an in-process bench, by thread name: CPU time from
 * {@code /proc/self/task/TID/stat} (every native thread, so JIT and GC threads too), and system
 * calls from {@code perf stat -e raw_syscalls:sys_enter --per-thread} when perf is installed and
 * allowed. Linux only, like the relays' transport.
 *
 * <p>The hops are told apart by the event-loop names the code gives its threads: {@code
 * masque-client-…}, {@code ingress-…}, {@code egress-…} (loops, TCP and admin), and the bench's
 * own origins ({@code h3-origin-…}, {@code http-origin-…}, {@code udp-echo-…}).
 */
public final class HopMeter {
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1) / 100; // USER_HZ

    private HopMeter() {}

    /** Who a thread works for. */
    public enum Hop {
        CLIENT,
        INGRESS,
        EGRESS,
        ORIGIN,
        /** The JIT compilers and the garbage collector: warm-up and allocation. */
        JVM,
        OTHER;

        static Hop of(String comm) {
            if (comm.startsWith("masque-client")) {
                return CLIENT;
            }
            if (comm.startsWith("ingress-")) {
                return INGRESS;
            }
            if (comm.startsWith("egress-")) {
                return EGRESS;
            }
            if (comm.startsWith("h3-origin")
                    || comm.startsWith("http-origin")
                    || comm.startsWith("udp-echo")
                    || comm.startsWith("tcp-echo")) {
                return ORIGIN;
            }
            if (comm.contains("CompilerThre") || comm.startsWith("GC ") || comm.startsWith("G1 ")) {
                return JVM;
            }
            return OTHER;
        }

        /** Lower-case name for tables. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** CPU nanoseconds per hop at one instant. */
    public static Map<Hop, Long> cpuNanos() {
        Map<Hop, Long> out = new EnumMap<>(Hop.class);
        for (Hop h : Hop.values()) {
            out.put(h, 0L);
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8)
                            .strip();
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
                    // Fields after the ')' that closes the comm: state is field 3, utime 14, stime 15.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    out.merge(Hop.of(comm), ticks * TICK_NANOS, Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            return out; // not Linux: every hop reads zero, and the table says so
        }
        return out;
    }

    /** {@code after - before}, per hop. */
    public static Map<Hop, Long> delta(Map<Hop, Long> before, Map<Hop, Long> after) {
        Map<Hop, Long> out = new EnumMap<>(Hop.class);
        for (Hop h : Hop.values()) {
            out.put(h, after.getOrDefault(h, 0L) - before.getOrDefault(h, 0L));
        }
        return out;
    }

    /**
     * Counts this process's system calls per hop while it runs: {@code perf stat} attached to
     * our own pid. Absent when perf is missing or the kernel refuses tracepoints to us.
     */
    public static Optional<SyscallCounter> syscalls() {
        try {
            Path out = Files.createTempFile("masque-perf", ".csv");
            Process p = new ProcessBuilder(
                            "perf",
                            "stat",
                            "-x",
                            ",",
                            "--per-thread",
                            "-e",
                            "raw_syscalls:sys_enter",
                            "-p",
                            Long.toString(ProcessHandle.current().pid()),
                            "-o",
                            out.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Thread.sleep(300); // perf attaches to every thread before counting starts
            if (!p.isAlive()) {
                Files.deleteIfExists(out);
                return Optional.empty();
            }
            return Optional.of(new SyscallCounter(p, out));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** A running {@code perf stat}; {@link #stop} ends it and reads the counts. */
    public static final class SyscallCounter {
        private final Process perf;
        private final Path out;

        SyscallCounter(Process perf, Path out) {
            this.perf = perf;
            this.out = out;
        }

        /** Stops counting; the system calls per hop since the start. */
        public Map<Hop, Long> stop() throws IOException, InterruptedException {
            Map<Hop, Long> counts = new EnumMap<>(Hop.class);
            for (Hop h : Hop.values()) {
                counts.put(h, 0L);
            }
            // SIGINT makes perf print its totals, as Ctrl-C would.
            new ProcessBuilder("kill", "-INT", Long.toString(perf.pid()))
                    .start()
                    .waitFor();
            if (!perf.waitFor(5, TimeUnit.SECONDS)) {
                perf.destroyForcibly();
            }
            List<String> lines = Files.exists(out) ? Files.readAllLines(out) : new ArrayList<>();
            Files.deleteIfExists(out);
            for (String line : lines) {
                // "comm-tid,count,,raw_syscalls:sys_enter,..." per thread
                String[] f = line.split(",");
                if (f.length < 4 || !f[3].contains("sys_enter")) {
                    continue;
                }
                int dash = f[0].lastIndexOf('-');
                String comm = dash > 0 ? f[0].substring(0, dash) : f[0];
                try {
                    counts.merge(Hop.of(comm.strip()), Long.parseLong(f[1].strip()), Long::sum);
                } catch (NumberFormatException notCounted) {
                    // "<not counted>"
                }
            }
            return counts;
        }
    }
}
