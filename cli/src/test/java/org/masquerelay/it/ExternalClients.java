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

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real clients some end-to-end tests drive (Debian's curl and Chromium). Where one is missing,
 * the test is skipped with the reason, so {@code ./mvnw verify} passes on a machine with only a JDK;
 * with {@code -Dmasque.requireClients=true}, as {@code .ci/run} sets it, a missing client fails the
 * test instead, so CI still proves them.
 */
final class ExternalClients {
    /** The system property that turns a missing client into a failure. */
    static final String REQUIRE = "masque.requireClients";

    private ExternalClients() {}

    /** The first of {@code names} that answers {@code --version} with exit 0, or empty. */
    static Optional<String> find(List<String> names) {
        for (String name : names) {
            try {
                Process p = new ProcessBuilder(name, "--version")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(name);
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed under this name: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.empty();
    }

    /** The program's name, or the test skipped (failed under {@value #REQUIRE}) with how to install it. */
    static String require(String what, List<String> names, String debianPackage) {
        Optional<String> found = find(names);
        if (found.isPresent()) {
            return found.get();
        }
        String message = what + " is needed by this test and was not found; install it with: apt-get install -y "
                + debianPackage + " (.ci/run does this as root)";
        if (Boolean.getBoolean(REQUIRE)) {
            return fail(message + "; -D" + REQUIRE + "=true makes it mandatory");
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }
}
