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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.client.ClientConfig;
import org.masquerelay.config.ConfigException;
import org.masquerelay.tools.pki.Pki;

/**
 * Every sample config the project ships passes the check its own command runs, so that a sample
 * cannot rot: each YAML file of {@code deploy/config/} and each {@code ```yaml} block of
 * {@code README.md} and {@code deploy/README.md} is one dynamic test, named after its file (and
 * line, for a block).
 *
 * <p>A sample is checked as an operator would check it: {@code masque ingress|egress|issuer
 * --config F --check-config}, {@code masque pool check --config F}, and for the client, which has
 * no check-only mode, {@link ClientConfig#load}, the loader {@code fetch}, {@code udp-echo} and
 * {@code proxy} use, with {@link ClientOptions#report} turning its errors into their exit status.
 * Exit 0 passes; anything else fails with the command's output, which names every error with its
 * YAML path.
 *
 * <p>The files a sample names are made in a temporary "host": a real CA and certificates
 * ({@link Pki}), the Ed25519 geo key of {@code masque keys generate}, the blind-RSA key of
 * {@code masque issuer keygen}, an API key file, an empty MaxMind City database, and copies of
 * {@code deploy/config/geo.csv} and {@code pool.yaml}. Each sample is written into that host's
 * {@code /etc/masque/} with every absolute path outside comments moved under the host's root (as
 * {@code deploy/netns-test.sh} rewrites {@code /etc/masque/}); nothing else of the sample text
 * changes, and relative paths resolve, as always, against the config file's directory.
 *
 * <p>A fenced block whose keys are not those of a whole config is a fragment: it is checked in the
 * first whole sample of the kind its heading names, with the top-level sections it sets replaced by
 * its own. A block that is neither, or a config in a block not tagged {@code yaml}, fails: no
 * sample is skipped silently.
 */
class SampleConfigsTest {
    /** The markdown files whose {@code ```yaml} blocks are samples. */
    private static final List<String> MARKDOWN = List.of("README.md", "deploy/README.md");

    private static final Pattern FENCE = Pattern.compile("^ {0,3}```\\s*([^`\\s]*).*$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern TOP_LEVEL_KEY = Pattern.compile("^([a-z][a-z0-9-]*)\\s*:(\\s|$)");
    /** An absolute path starting a YAML value: after a space, a flow indicator or a quote. */
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![^\\s\\[{,\"'])/(?=\\w)");

    @TempDir
    Path host;

    /**
     * The configs, each known by the keys its loader requires (so a block without them cannot be
     * a whole config), and by the words of the headings samples sit under, tried in this order
     * ("City pools and the egress-range CSV" is about the pool).
     */
    enum Kind {
        POOL(Set.of("cities"), "pool"),
        ISSUER(Set.of("issuer-name"), "issuer"),
        CLIENT(Set.of("ingress", "egress"), "client"),
        INGRESS(Set.of("egress-relays"), "ingress"),
        EGRESS(Set.of("ingress-prefixes"), "egress");

        final Set<String> requiredKeys;
        final String headingWord;

        Kind(Set<String> requiredKeys, String headingWord) {
            this.requiredKeys = requiredKeys;
            this.headingWord = headingWord;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One sample as found.
     *
     * @param name its file, and for a markdown block the line of its opening fence
     * @param heading the heading a markdown block sits under; empty for a file
     * @param tagged whether it is a file or a {@code ```yaml} block, which must hold a config
     * @param text the sample exactly as shipped
     */
    record Sample(String name, String heading, boolean tagged, String text) {
        Set<String> topLevelKeys() {
            Set<String> keys = new LinkedHashSet<>();
            for (String line : text.split("\n", -1)) {
                Matcher m = TOP_LEVEL_KEY.matcher(line);
                if (m.find()) {
                    keys.add(m.group(1));
                }
            }
            return keys;
        }

        /** The kind whose required keys it has, if exactly one. */
        Optional<Kind> kind() {
            Set<String> keys = topLevelKeys();
            List<Kind> kinds = Arrays.stream(Kind.values())
                    .filter(k -> keys.containsAll(k.requiredKeys))
                    .toList();
            return kinds.size() == 1 ? Optional.of(kinds.get(0)) : Optional.empty();
        }

        Optional<Kind> kindByHeading() {
            String h = heading.toLowerCase(Locale.ROOT);
            return Arrays.stream(Kind.values())
                    .filter(k -> h.contains(k.headingWord))
                    .findFirst();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyShippedSampleConfigPassesItsCheck() throws Exception {
        Path repository = repositoryRoot();
        List<Sample> samples = new ArrayList<>();
        try (Stream<Path> files = Files.list(repository.resolve("deploy/config"))) {
            for (Path f : files.sorted().toList()) {
                String fileName = f.getFileName().toString();
                if (fileName.endsWith(".yaml") || fileName.endsWith(".yml")) {
                    samples.add(new Sample("deploy/config/" + fileName, "", true, Files.readString(f)));
                }
            }
        }
        List<DynamicTest> malformed = new ArrayList<>();
        for (String markdown : MARKDOWN) {
            fencedBlocks(markdown, Files.readString(repository.resolve(markdown)), samples, malformed);
        }
        writeHost(repository);
        List<DynamicTest> tests = new ArrayList<>(malformed);
        for (Sample s : samples) {
            Optional<Kind> kind = s.kind();
            if (!s.tagged()) {
                // A config in a ```sh or untagged block would escape this test: ask for the tag.
                kind.ifPresent(k -> tests.add(DynamicTest.dynamicTest(
                        s.name() + " " + k,
                        () -> fail(s.name() + ": this " + k
                                + " config is in a block not tagged ```yaml, so nothing would check it"))));
            } else if (kind.isPresent()) {
                tests.add(DynamicTest.dynamicTest(s.name() + " " + kind.get(), () -> check(s, kind.get(), s.text())));
            } else {
                tests.add(fragmentTest(s, samples));
            }
        }
        assertThat(tests).as("samples found").isNotEmpty();
        return tests.stream();
    }

    /** A block that is part of a config: checked inside the first whole sample of its heading's kind. */
    private DynamicTest fragmentTest(Sample fragment, List<Sample> samples) {
        Optional<Kind> kind = fragment.kindByHeading();
        Optional<Sample> base = kind.flatMap(k -> samples.stream()
                .filter(s -> s.tagged() && s.kind().equals(Optional.of(k)))
                .findFirst());
        if (base.isEmpty()) {
            return DynamicTest.dynamicTest(
                    fragment.name(),
                    () -> fail(fragment.name() + " (keys " + fragment.topLevelKeys() + ", under \""
                            + fragment.heading() + "\") is neither a whole config, recognised by "
                            + "its required keys, nor a fragment of a config its heading names"));
        }
        return DynamicTest.dynamicTest(
                fragment.name() + " " + kind.get() + " fragment, in "
                        + base.get().name(),
                () -> check(fragment, kind.get(), embed(base.get().text(), fragment.text())));
    }

    /** {@code base} with the top-level sections {@code fragment} sets replaced by the fragment's. */
    static String embed(String base, String fragment) {
        Set<String> replaced = new Sample("", "", true, fragment).topLevelKeys();
        StringBuilder out = new StringBuilder();
        boolean skipping = false;
        for (String line : base.split("\n", -1)) {
            Matcher m = TOP_LEVEL_KEY.matcher(line);
            if (m.find()) {
                skipping = replaced.contains(m.group(1));
            }
            if (!skipping) {
                out.append(line).append('\n');
            }
        }
        return out.append(fragment).toString();
    }

    /**
     * Adds the fenced blocks of a markdown file: each {@code ```yaml} (or {@code ```yml}) block as
     * a sample, every other block too (to catch a config in one), and a failing test for a fence
     * that never closes.
     */
    private static void fencedBlocks(String file, String markdown, List<Sample> samples, List<DynamicTest> malformed) {
        String[] lines = markdown.split("\n", -1);
        String heading = "";
        for (int i = 0; i < lines.length; i++) {
            Matcher fence = FENCE.matcher(lines[i]);
            if (!fence.matches()) {
                Matcher h = HEADING.matcher(lines[i]);
                if (h.matches()) {
                    heading = h.group(1);
                }
                continue;
            }
            String info = fence.group(1).toLowerCase(Locale.ROOT);
            int open = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.length && !lines[i].matches("^ {0,3}```\\s*$"); i++) {
                text.append(lines[i]).append('\n');
            }
            String name = file + ":" + (open + 1);
            if (i == lines.length) {
                malformed.add(DynamicTest.dynamicTest(name, () -> fail(name + ": a code fence that is never closed")));
                return;
            }
            samples.add(new Sample(name, heading, info.equals("yaml") || info.equals("yml"), text.toString()));
        }
    }

    /** Writes the sample into the host's /etc/masque, runs its check and expects exit 0. */
    private void check(Sample sample, Kind kind, String text) throws IOException {
        String fileName = "sample-" + sample.name().replaceAll("[^A-Za-z0-9.-]", "-");
        Path file = host.resolve("etc/masque").resolve(fileName.matches(".*\\.ya?ml") ? fileName : fileName + ".yaml");
        Files.writeString(file, onHost(text));
        String config = file.toString();
        Run run = switch (kind) {
            case INGRESS -> Run.of("ingress", "--config", config, "--check-config");
            case EGRESS -> Run.of("egress", "--config", config, "--check-config");
            case ISSUER -> Run.of("issuer", "--config", config, "--check-config");
            case POOL -> Run.of("pool", "check", "--config", config);
            case CLIENT ->
                Run.capturing(() -> {
                    try {
                        ClientConfig.load(file);
                        System.out.println(config + ": ok");
                        return 0;
                    } catch (ConfigException e) {
                        return ClientOptions.report(e);
                    }
                });
        };
        assertThat(run.status())
                .as("%s (%s) fails its check:%n%s%nas checked:%n%s", sample.name(), kind, run.output(), onHost(text))
                .isZero();
    }

    /** The sample with every absolute path outside comments moved under the host's root. */
    String onHost(String text) {
        String root = Matcher.quoteReplacement(host.toString()) + "/";
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            int comment = commentStart(line);
            out.append(ABSOLUTE_PATH.matcher(line.substring(0, comment)).replaceAll(root))
                    .append(line.substring(comment))
                    .append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    /** Where a YAML comment starts: a '#' at the start or after white space, outside quotes. */
    static int commentStart(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            char before = i == 0 ? ' ' : line.charAt(i - 1);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if ((c == '"' || c == '\'') && " [{,:".indexOf(before) >= 0) {
                quote = c;
            } else if (c == '#' && Character.isWhitespace(before)) {
                return i;
            }
        }
        return line.length();
    }

    /**
     * The files the samples name, on the temporary host. Under /etc/masque: the CA (the clients'
     * relative {@code ca-file}); each relay's certificate and key both where README.md puts them
     * and under {@code tls/}, where deploy/config does; the issuer's TLS pair, signing key and API
     * keys (README.md's relative names); the geo key pair {@code ingress-2026a}; and copies of
     * deploy/config's geo.csv and pool.yaml. Under /var/lib/masque: the City database README.md's
     * ingress names.
     */
    private void writeHost(Path repository) throws Exception {
        Path etc = Files.createDirectories(host.resolve("etc/masque"));
        Files.createDirectories(etc.resolve("tls"));
        Pki.Credential ca = Pki.newCa("masque-relay sample CA", Duration.ofDays(1));
        Pki.writeCertificatePem(etc.resolve("ca.crt"), List.of(ca.certificate()));
        for (String[] server :
                new String[][] {{"ingress", "192.0.2.1"}, {"egress", "198.51.100.10"}, {"issuer", "127.0.0.1"}}) {
            String role = server[0];
            Pki.Credential c = Pki.issueServer(
                    ca,
                    role + ".example",
                    List.of(role + ".example", role + ".example.net"),
                    List.of(InetAddress.getByName(server[1])),
                    Duration.ofDays(1));
            List<Path> pairs = role.equals("issuer")
                    ? List.of(etc.resolve("issuer.crt"), etc.resolve("issuer-tls.key"))
                    : List.of(
                            etc.resolve(role + ".crt"),
                            etc.resolve(role + ".key"),
                            etc.resolve("tls/" + role + ".crt"),
                            etc.resolve("tls/" + role + ".key"));
            for (int i = 0; i < pairs.size(); i += 2) {
                Pki.writeCertificatePem(pairs.get(i), c.chain());
                Pki.writePrivateKeyPem(pairs.get(i + 1), c.privateKey());
            }
        }
        requireZero(Run.of("keys", "generate", "--out", etc.resolve("geo").toString(), "--key-id", "ingress-2026a"));
        Run keygen =
                Run.of("issuer", "keygen", "--out", etc.resolve("issuer.key").toString());
        requireZero(keygen);
        // The token key as keygen prints it, in the file an ingress's tokens.token-keys names; and
        // a Redis password for the shared spend store's password-file.
        String tokenKey = keygen.output()
                .lines()
                .filter(l -> l.startsWith("token-key: "))
                .findFirst()
                .orElseThrow()
                .substring("token-key: ".length());
        Files.writeString(etc.resolve("issuer-token-key.pub"), tokenKey + "\n");
        Pki.writeSecret(etc.resolve("redis.password"), "samples-redis-password\n");
        byte[] apiKey = new byte[16];
        new SecureRandom().nextBytes(apiKey);
        Pki.writeSecret(
                etc.resolve("api-keys.txt"),
                "samples:" + Base64.getUrlEncoder().withoutPadding().encodeToString(apiKey) + "\n");
        for (String copied : new String[] {"geo.csv", "pool.yaml"}) {
            Files.copy(repository.resolve("deploy/config").resolve(copied), etc.resolve(copied));
        }
        Path lib = Files.createDirectories(host.resolve("var/lib/masque"));
        Files.write(lib.resolve("GeoLite2-City.mmdb"), emptyCityDatabase());
    }

    private static void requireZero(Run run) {
        assertThat(run.status()).as(run.output()).isZero();
    }

    /**
     * An empty MaxMind City database, laid out as geo-ip-pool's test MmdbWriter lays one out: a
     * search tree of one node whose two 24-bit records both equal the node count (no data), the 16
     * zero bytes that end the tree, an empty data section, the metadata marker and the metadata
     * map. It places no address; the ingress's check only opens it.
     */
    static byte[] emptyCityDatabase() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 1, 0, 0, 1});
        out.writeBytes(new byte[16]);
        out.writeBytes(new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef});
        out.writeBytes("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", new Unsigned(6, 1));
        metadata.put("record_size", new Unsigned(5, 24));
        metadata.put("ip_version", new Unsigned(5, 6));
        metadata.put("database_type", "MasqueRelay-Sample-City");
        metadata.put("languages", List.of("en"));
        metadata.put("binary_format_major_version", new Unsigned(5, 2));
        metadata.put("binary_format_minor_version", new Unsigned(5, 0));
        metadata.put("build_epoch", new Unsigned(9, 1_700_000_000L));
        metadata.put("description", Map.of("en", "masque-relay samples"));
        field(metadata, out);
        return out.toByteArray();
    }

    /** A MaxMind DB unsigned integer: type 5 (uint16), 6 (uint32) or 9 (uint64). */
    private record Unsigned(int type, long value) {}

    private static void field(Object value, ByteArrayOutputStream out) {
        if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            control(2, utf8.length, out);
            out.writeBytes(utf8);
        } else if (value instanceof Unsigned u) {
            int n = (Long.SIZE - Long.numberOfLeadingZeros(u.value()) + 7) / 8;
            control(u.type(), n, out);
            for (int i = n - 1; i >= 0; i--) {
                out.write((int) (u.value() >>> (8 * i)));
            }
        } else if (value instanceof Map<?, ?> m) {
            control(7, m.size(), out);
            m.forEach((k, v) -> {
                field(k, out);
                field(v, out);
            });
        } else if (value instanceof List<?> l) {
            control(11, l.size(), out);
            l.forEach(e -> field(e, out));
        } else {
            throw new IllegalArgumentException("no MaxMind DB type for " + value);
        }
    }

    /** The type in the top three bits (above 7: zero there, then a byte of type - 7), a size below 29 in the low five. */
    private static void control(int type, int size, ByteArrayOutputStream out) {
        assertThat(size).isLessThan(29);
        if (type <= 7) {
            out.write(type << 5 | size);
        } else {
            out.write(size);
            out.write(type - 7);
        }
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("deploy/config"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no README.md and deploy/config/ above " + Path.of("").toAbsolutePath());
    }

    /** A CLI run: its exit status and everything it printed, through picocli or System.out/err. */
    private record Run(int status, String output) {
        static Run of(String... args) {
            StringWriter printed = new StringWriter();
            PrintWriter writer = new PrintWriter(printed, true);
            Run run = capturing(() -> MasqueCli.run(writer, writer, args));
            return new Run(run.status(), printed + run.output());
        }

        static Run capturing(java.util.function.IntSupplier command) {
            PrintStream savedOut = System.out;
            PrintStream savedErr = System.err;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            try {
                int status = command.getAsInt();
                return new Run(status, printed.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(savedOut);
                System.setErr(savedErr);
            }
        }
    }
}
