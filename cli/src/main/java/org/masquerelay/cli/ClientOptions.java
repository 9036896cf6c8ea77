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

import java.net.InetAddress;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.client.MasqueClient;
import org.masquerelay.config.Addresses;
import org.masquerelay.config.ConfigException;
import picocli.CommandLine.Option;

/** Options every client command shares. */
final class ClientOptions {
    @Option(names = "--config", required = true, description = "client.yaml")
    Path config;

    @Option(names = "--insecure", description = "Do not verify the relays' or the target's certificates. Testing only.")
    boolean insecure;

    @Option(
            names = "--location",
            defaultValue = "precise",
            description = "How precisely to present the ingress-asserted location to the egress: precise (the "
                    + "asserted geohash) or coarse (2 characters: country and time-zone level).",
            converter = LocationConverter.class)
    MasqueClient.LocationPrecision location = MasqueClient.LocationPrecision.PRECISE;

    /** Accepts {@code precise} and {@code coarse}, any case. */
    static final class LocationConverter implements picocli.CommandLine.ITypeConverter<MasqueClient.LocationPrecision> {
        @Override
        public MasqueClient.LocationPrecision convert(String value) {
            for (MasqueClient.LocationPrecision p : MasqueClient.LocationPrecision.values()) {
                if (p.name().equalsIgnoreCase(value)) {
                    return p;
                }
            }
            throw new picocli.CommandLine.TypeConversionException(
                    "'" + value + "' is not a location precision (expected: precise or coarse)");
        }
    }

    @Option(names = "--bind", description = "Local source address of the outer connection.")
    @Nullable
    String bind;

    MasqueClient newClient() throws Exception {
        ClientConfig c = ClientConfig.load(config);
        InetAddress local = bind == null ? null : Addresses.address(bind);
        return new MasqueClient(c, insecure, local, location);
    }

    static int report(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException
                        || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ConfigException ce) {
            System.err.println(ce.getMessage());
            return MasqueCli.EX_CONFIG;
        }
        // Some failures (a timeout, a closed channel) carry no message: name the type instead.
        System.err.println("error: "
                + (t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName()));
        if (Boolean.getBoolean("masque.debug")) {
            t.printStackTrace();
        }
        return 1;
    }
}
