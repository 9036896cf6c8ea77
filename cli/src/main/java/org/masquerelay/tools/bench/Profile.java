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
import java.io.PrintStream;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.masquerelay.tools.bench.HopMeter.Hop;

/**
 * A JFR recording of the bench process (the JDK's own profiler, with its {@code profile}
 * settings: Java samples every 10 ms, native samples every 20 ms), written to a file and
 * summarised per hop: the methods on top of the sampled stacks (threads waiting in epoll and the
 * like left out, as they burn no CPU), by the same thread names
 * {@link HopMeter} uses. One process holds every hop, so one recording serves them all.
 */
public final class Profile implements AutoCloseable {
    /** Native methods where a thread sleeps rather than works. */
    private static final List<String> IDLE = List.of(
            "Native.epollWait0",
            "Native.epollWait",
            "EPoll.wait",
            "ProcessHandleImpl.waitForProcessExit0",
            "Unsafe.park",
            "Object.wait0",
            "Thread.sleep0",
            "Thread.sleep",
            "Net.accept",
            "Net.poll");

    private final Recording recording;
    private final Path file;

    private Profile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    /** Starts recording; {@link #stop} writes {@code file}. */
    public static Profile start(Path file) throws IOException, ParseException {
        Recording r = new Recording(Configuration.getConfiguration("profile"));
        r.setName("masque-bench");
        r.start();
        return new Profile(r, file);
    }

    /** Stops, writes the recording, and prints the top {@code n} frames of each hop. */
    public void stop(PrintStream out, int n) throws IOException {
        recording.stop();
        recording.dump(file);
        Map<Hop, Map<String, Integer>> byHop = new EnumMap<>(Hop.class);
        Map<Hop, Integer> totals = new EnumMap<>(Hop.class);
        Map<Hop, Integer> idleSamples = new EnumMap<>(Hop.class);
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedThread t = e.getThread("sampledThread");
            RecordedStackTrace stack = e.getStackTrace();
            if (t == null || stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            String name = t.getJavaName() != null ? t.getJavaName() : t.getOSName();
            Hop hop = Hop.of(name == null ? "" : name);
            RecordedFrame top = stack.getFrames().get(0);
            String frame =
                    top.getMethod().getType().getName() + "." + top.getMethod().getName();
            if (idle(frame)) {
                idleSamples.merge(hop, 1, Integer::sum);
                continue;
            }
            byHop.computeIfAbsent(hop, h -> new HashMap<>()).merge(frame, 1, Integer::sum);
            totals.merge(hop, 1, Integer::sum);
        }
        out.printf("%nprofile: %s (open it with 'jfr print' or JDK Mission Control)%n", file);
        for (Map.Entry<Hop, Map<String, Integer>> h : byHop.entrySet()) {
            int total = totals.getOrDefault(h.getKey(), 0);
            out.printf(
                    "  %s: %d busy samples (%d idle in epoll and the like left out); top frames (self)%n",
                    h.getKey().label(), total, idleSamples.getOrDefault(h.getKey(), 0));
            List<Map.Entry<String, Integer>> top = h.getValue().entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .limit(n)
                    .toList();
            for (Map.Entry<String, Integer> f : top) {
                out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * f.getValue() / total, f.getKey());
            }
        }
    }

    /** Whether {@code frame} (class and method) is one where a thread waits rather than works. */
    static boolean idle(String frame) {
        for (String i : IDLE) {
            if (frame.endsWith("." + i)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        recording.close();
    }
}
