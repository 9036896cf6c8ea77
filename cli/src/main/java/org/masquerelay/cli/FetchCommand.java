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
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.HttpFetcher;
import org.masquerelay.client.MasqueClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        URI target = parseUrl(spec, url);
        try (MasqueClient c = client.newClient();
                OutputStream out = output == null
                        ? new NonClosing(System.out)
                        : new BufferedOutputStream(Files.newOutputStream(output))) {
            HttpFetcher.Result r =
                    HttpFetcher.fetch(c, target, out, client.insecure).get(timeoutSeconds, TimeUnit.SECONDS);
            out.flush();
            // The tunnel's transport, as users and tests ask "did it fall back?".
            String via = c.tunnelTransport().map(FetchCommand::describe).orElse("");
            System.err.print(
                    String.format("%d %d bytes in %.1f ms%s%n", r.status(), r.bodyBytes(), r.nanos() / 1e6, via));
            return r.status() >= 200 && r.status() < 400 ? 0 : 1;
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("error: no response within " + timeoutSeconds + " s (--timeout-seconds)");
            return 1;
        } catch (Exception e) {
            return client.fail(e);
        }
    }

    /** " via h3 datagrams", " via h3 capsules" or " via h2 capsules". */
    static String describe(MasqueClient.TunnelTransport t) {
        return switch (t) {
            case DATAGRAMS -> " via h3 datagrams";
            case CAPSULES -> " via h3 capsules";
            case HTTP2_CAPSULES -> " via h2 capsules";
        };
    }

    /** An absolute http(s) URL with a host and a valid port, or a usage error before anything connects. */
    static URI parseUrl(CommandSpec spec, String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), text + " is not a URL: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), text + ": only http:// and https:// URLs can be fetched");
        }
        if (u.getHost() == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    text + ": no host, or a port outside 1-65535 (expected: http://host[:port]/path)");
        }
        if (u.getPort() == 0 || u.getPort() > 65535) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), text + ": port " + u.getPort() + " (expected: 1-65535)");
        }
        return u;
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
