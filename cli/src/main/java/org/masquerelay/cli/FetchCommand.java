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
package org.masquerelay.cli;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fetch", description = "Fetch an http:// or https:// URL through both hops.")
final class FetchCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "URL")
    String url;

    @Mixin
    ClientOptions client;

    @Option(names = "--output", description = "Write the body here instead of stdout.")
    @Nullable
    Path output;

    @Option(names = "--timeout-seconds", defaultValue = "60")
    int timeoutSeconds;

    @Override
    public Integer call() {
        try (MasqueClient c = client.newClient();
                OutputStream out = output == null
                        ? new NonClosing(System.out)
                        : new BufferedOutputStream(Files.newOutputStream(output))) {
            HttpFetcher.Result r =
                    HttpFetcher.fetch(c, URI.create(url), out, client.insecure).get(timeoutSeconds, TimeUnit.SECONDS);
            out.flush();
            System.err.printf("%d %d bytes in %.1f ms%n", r.status(), r.bodyBytes(), r.nanos() / 1e6);
            return r.status() >= 200 && r.status() < 400 ? 0 : 1;
        } catch (Exception e) {
            return ClientOptions.report(e);
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }
}
