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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.cli.LoopbackDeployment;
import org.masquerelay.egress.EgressServer;
import org.masquerelay.egress.config.EgressConfig;

/**
 * The published egress ranges (RFC 8805) follow a reloaded pool: a website that polls the feed
 * with its last ETag gets the new prefixes, not a 304 for the pool the egress no longer uses.
 */
class EgressRangesReloadIT {
    @Test
    void aReloadedPoolIsPublishedWithANewEtag(@TempDir Path dir) throws Exception {
        LoopbackDeployment.Ports ports = LoopbackDeployment.Ports.free();
        LoopbackDeployment.write(dir, ports); // geo routing: the pool is the feed's source
        URI feed = URI.create(
                "http://" + LoopbackDeployment.EGRESS_HOST + ":" + ports.egressAdmin() + "/egress-ranges.csv");
        try (EgressServer egress = EgressServer.start(EgressConfig.load(dir.resolve("egress.yaml")))) {
            HttpResponse<String> before = get(feed, null);
            assertThat(before.statusCode()).isEqualTo(200);
            assertThat(before.body()).contains("127.103.0.0/28,JP,JP-13,Tokyo,");
            String etag = before.headers().firstValue("ETag").orElseThrow();
            assertThat(get(feed, etag).statusCode()).as("unchanged: 304").isEqualTo(304);

            Path pool = dir.resolve("pool.yaml");
            Files.writeString(pool, Files.readString(pool).replace("127.103.0.0/28", "127.104.0.0/28"));
            Files.setLastModifiedTime(pool, FileTime.from(Instant.now().plusSeconds(5)));
            assertThat(egress.reload(EgressConfig.load(dir.resolve("egress.yaml"))))
                    .as("the reload is accepted")
                    .isTrue();

            HttpResponse<String> after = get(feed, etag);
            assertThat(after.statusCode())
                    .as("a poll with the old ETag gets the new feed")
                    .isEqualTo(200);
            assertThat(after.body()).contains("127.104.0.0/28,JP,JP-13,Tokyo,").doesNotContain("127.103.0.0/28");
            assertThat(after.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
            assertThat(after.headers().firstValue("Last-Modified").orElseThrow())
                    .isNotEqualTo(before.headers().firstValue("Last-Modified").orElseThrow());
        }
    }

    private static HttpResponse<String> get(URI uri, String ifNoneMatch) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
