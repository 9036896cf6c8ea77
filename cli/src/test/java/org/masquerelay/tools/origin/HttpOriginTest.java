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
package org.masquerelay.tools.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.tools.pki.Pki;

class HttpOriginTest {

    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    static Path dir;

    private static HttpOrigin origin;
    private static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        Path root = Files.createDirectories(dir.resolve("www"));
        Files.writeString(root.resolve("index.html"), "<!doctype html><title>origin</title>");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/app.js"), "console.log('hi');");
        Files.write(root.resolve("logo.PNG"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.writeString(dir.resolve("secret.txt"), "outside the root");
        try {
            Files.createSymbolicLink(root.resolve("escape.txt"), dir.resolve("secret.txt"));
        } catch (UnsupportedOperationException | IOException noSymlinks) {
            // The traversal test then checks the other cases only.
        }
        origin = new HttpOrigin(LOOPBACK_ANY_PORT, root);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    @Test
    void whoamiReturnsTheSourceAddress() throws Exception {
        HttpResponse<String> response = client.send(get("/whoami"), BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("127.0.0.1\n");
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(origin.peers()).isNotEmpty();
        assertThat(origin.peers().get(origin.peers().size() - 1).getAddress())
                .isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void whoamiAndPeersShowTheBoundSourceAddress() throws Exception {
        // Linux routes all of 127/8 to lo, so a client can pick 127.1.0.10 as its source.
        InetSocketAddress source = new InetSocketAddress("127.1.0.10", 0);
        try (Socket probe = new Socket()) {
            probe.bind(source);
        } catch (IOException notLinux) {
            assumeTrue(false, "127.1.0.10 is not bindable here");
        }
        try (Socket socket = new Socket()) {
            socket.bind(source);
            socket.connect(origin.localAddress());
            socket.getOutputStream()
                    .write("GET /whoami HTTP/1.1\r\nHost: o\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] expectedTail = "\r\n\r\n127.1.0.10\n".getBytes(StandardCharsets.US_ASCII);
            byte[] received = new byte[0];
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(5_000);
            while (!endsWith(received, expectedTail)) {
                int b = in.read();
                assertThat(b)
                        .as("response ended early: %s", new String(received))
                        .isNotNegative();
                received = Arrays.copyOf(received, received.length + 1);
                received[received.length - 1] = (byte) b;
            }
            assertThat(origin.peers()).contains((InetSocketAddress) socket.getLocalSocketAddress());
        }
    }

    @Test
    void bytesStreamThePattern() throws Exception {
        long n = (32L << 20) + 3; // ends mid-block
        HttpResponse<InputStream> response = client.send(get("/bytes/" + n), BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(n);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int r; (r = body.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, r);
                total += r;
            }
        }
        assertThat(total).isEqualTo(n);
        assertThat(sha256.digest()).isEqualTo(HttpOrigin.patternSha256(n));
    }

    @Test
    void smallAndEmptyBodies() throws Exception {
        assertThat(client.send(get("/bytes/13"), BodyHandlers.ofByteArray()).body())
                .isEqualTo(HttpOrigin.expectedBytes(0, 13));
        HttpResponse<byte[]> empty = client.send(get("/bytes/0"), BodyHandlers.ofByteArray());
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();
    }

    @Test
    void patternIsSplitMix64BigEndianAndPositionAddressable() {
        SplittableRandom random = new SplittableRandom(0);
        ByteBuffer expected = ByteBuffer.allocate(64);
        while (expected.hasRemaining()) {
            expected.putLong(random.nextLong());
        }
        byte[] whole = HttpOrigin.expectedBytes(0, 64);
        assertThat(whole).isEqualTo(expected.array());
        for (int offset = 0; offset < 24; offset++) {
            for (int length = 0; offset + length <= 64; length += 7) {
                assertThat(HttpOrigin.expectedBytes(offset, length))
                        .isEqualTo(Arrays.copyOfRange(whole, offset, offset + length));
            }
        }
        byte[] partial = new byte[10];
        HttpOrigin.pattern(5, partial, 2, 6);
        assertThat(Arrays.copyOfRange(partial, 2, 8)).isEqualTo(Arrays.copyOfRange(whole, 5, 11));
        assertThat(partial[0]).isZero();
        assertThat(partial[9]).isZero();
    }

    @Test
    void invalidLengthsAreNotFound() throws Exception {
        for (String target : List.of("/bytes/", "/bytes/-1", "/bytes/abc", "/bytes/1e3", "/bytes/4294967297")) {
            assertThat(client.send(get(target), BodyHandlers.discarding()).statusCode())
                    .as(target)
                    .isEqualTo(404);
        }
    }

    @Test
    void filesAreServedWithTheirType() throws Exception {
        HttpResponse<String> html = client.send(get("/files/index.html"), BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).isEqualTo("<!doctype html><title>origin</title>");
        assertThat(html.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");

        HttpResponse<String> js = client.send(get("/files/sub/app.js?v=1"), BodyHandlers.ofString());
        assertThat(js.body()).isEqualTo("console.log('hi');");
        assertThat(js.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");

        HttpResponse<byte[]> png = client.send(get("/files/logo.PNG"), BodyHandlers.ofByteArray());
        assertThat(png.body()).hasSize(4);
        assertThat(png.headers().firstValue("content-type")).hasValue("image/png");
    }

    @Test
    void traversalIsNotFound() throws Exception {
        List<String> targets = List.of(
                "/files/../secret.txt",
                "/files/%2e%2e/secret.txt",
                "/files/sub/../../secret.txt",
                "/files/sub/%2E%2E/%2E%2E/secret.txt",
                "/files/sub/../index.html",
                "/files/./index.html",
                "/files//etc/passwd",
                "/files/%2Fetc%2Fpasswd",
                "/files/..%5csecret.txt",
                "/files/" + dir.resolve("secret.txt"),
                "/files/escape.txt",
                "/files/sub",
                "/files/sub/",
                "/files/",
                "/files/missing.html",
                "/files/index.html%00.png");
        for (String target : targets) {
            RawHttp.Response response = RawHttp.get(origin.localAddress(), target);
            assertThat(response.status()).as(target).isEqualTo(404);
            assertThat(response.text()).as(target).doesNotContain("outside the root");
        }
        // The same request shape does succeed for a file inside the root.
        assertThat(RawHttp.get(origin.localAddress(), "/files/sub/app.js").status())
                .isEqualTo(200);
    }

    @Test
    void filesWithoutRootAreNotFound() throws Exception {
        try (HttpOrigin bare = new HttpOrigin(LOOPBACK_ANY_PORT)) {
            assertThat(RawHttp.get(bare.localAddress(), "/files/index.html").status())
                    .isEqualTo(404);
        }
    }

    @Test
    void echoReturnsAFixedLengthBody() throws Exception {
        byte[] body = new byte[5 << 20];
        new Random(42).nextBytes(body);
        HttpRequest request = HttpRequest.newBuilder(origin.uri("/echo"))
                .header("content-type", "application/x-test")
                .POST(BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> response = client.send(request, BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(body.length);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-test");
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void echoReturnsAChunkedBody() throws Exception {
        byte[] body = new byte[(1 << 20) + 17];
        new Random(7).nextBytes(body);
        HttpRequest request = HttpRequest.newBuilder(origin.uri("/echo"))
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        HttpResponse<byte[]> response = client.send(request, BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void echoWithoutBodyIsEmpty() throws Exception {
        List<RawHttp.Response> responses =
                RawHttp.exchange(origin.localAddress(), "POST /echo HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n");
        assertThat(responses).hasSize(1);
        assertThat(responses.get(0).status()).isEqualTo(200);
        assertThat(responses.get(0).headers()).containsEntry("content-length", "0");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String requests = "GET /bytes/100000 HTTP/1.1\r\nHost: o\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: o\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /whoami HTTP/1.1\r\nHost: o\r\n\r\n"
                + "GET /nowhere HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n"
                + "GET /whoami HTTP/1.1\r\nHost: o\r\n\r\n"; // after close: never answered
        List<RawHttp.Response> responses = RawHttp.exchange(origin.localAddress(), requests);
        assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 200, 200, 404);
        assertThat(responses.get(0).body()).isEqualTo(HttpOrigin.expectedBytes(0, 100_000));
        assertThat(responses.get(1).text()).isEqualTo("hello");
        assertThat(responses.get(2).text()).isEqualTo("127.0.0.1\n");
        assertThat(responses.get(3).headers()).containsEntry("connection", "close");
    }

    @Test
    void rootNamesTheSourceAddressAndTheRoutes() throws Exception {
        HttpResponse<String> index = client.send(get("/"), BodyHandlers.ofString());
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body())
                .contains("You reached it from 127.0.0.1 ")
                .contains("GET  /whoami")
                .contains("POST /echo");
    }

    @Test
    void otherMethodsAndPathsAreNotFound() throws Exception {
        assertThat(client.send(get("/nowhere"), BodyHandlers.discarding()).statusCode())
                .isEqualTo(404);
        assertThat(client.send(get("/echo"), BodyHandlers.discarding()).statusCode())
                .isEqualTo(404);
        HttpRequest post = HttpRequest.newBuilder(origin.uri("/whoami"))
                .POST(BodyPublishers.ofString("x"))
                .build();
        assertThat(client.send(post, BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedRequestGets400AndClose() throws Exception {
        List<RawHttp.Response> responses = RawHttp.exchange(
                origin.localAddress(),
                "GET /whoami HTTP/1.1\r\nHost: o\r\nContent-Length: nope\r\n\r\n"
                        + "GET /whoami HTTP/1.1\r\nHost: o\r\n\r\n");
        assertThat(responses).extracting(RawHttp.Response::status).containsExactly(400);
    }

    @Test
    void servesHttpsWithAPkiCertificate() throws Exception {
        Pki.Credential ca = Pki.newCa("origin test CA", Duration.ofHours(1));
        Pki.Credential server = Pki.issueServer(
                ca,
                "localhost",
                List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1")),
                Duration.ofHours(1));
        SslContext serverTls = SslContextBuilder.forServer(server.privateKey(), server.chain())
                .sslProvider(SslProvider.JDK)
                .build();
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(clientTls)
                .build();

        try (HttpOrigin secure = new HttpOrigin(LOOPBACK_ANY_PORT, null, serverTls)) {
            URI whoami = secure.uri("/whoami");
            assertThat(whoami.getScheme()).isEqualTo("https");
            HttpResponse<String> response =
                    https.send(HttpRequest.newBuilder(whoami).build(), BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("127.0.0.1\n");

            int n = (1 << 20) + 5;
            HttpResponse<byte[]> bytes =
                    https.send(HttpRequest.newBuilder(secure.uri("/bytes/" + n)).build(), BodyHandlers.ofByteArray());
            assertThat(MessageDigest.getInstance("SHA-256").digest(bytes.body()))
                    .isEqualTo(HttpOrigin.patternSha256(n));
        }
    }

    @Test
    void closeReleasesThePort() throws Exception {
        HttpOrigin shortLived = new HttpOrigin(LOOPBACK_ANY_PORT);
        InetSocketAddress address = shortLived.localAddress();
        assertThat(address.getPort()).isPositive();
        shortLived.close();
        shortLived.close(); // idempotent
        assertThatThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(address, 1_000);
                    }
                })
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void bindFailureIsAnIoException() throws Exception {
        try (HttpOrigin first = new HttpOrigin(LOOPBACK_ANY_PORT)) {
            assertThatThrownBy(() -> new HttpOrigin(first.localAddress()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot bind");
        }
    }

    private static HttpRequest get(String pathAndQuery) {
        return HttpRequest.newBuilder(origin.uri(pathAndQuery)).build();
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        return bytes.length >= suffix.length
                && Arrays.equals(bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
    }
}
