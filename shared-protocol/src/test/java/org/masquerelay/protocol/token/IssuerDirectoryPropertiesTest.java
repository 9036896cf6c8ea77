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
package org.masquerelay.protocol.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.masquerelay.protocol.PropertyCheck.forAll;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.PropertyCheck;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.token.IssuerDirectory.TokenKeyEntry;

/**
 * Properties of the RFC 9578 §4 issuer directory and its strict RFC 8259 reader: directories
 * round-trip byte for byte, and any text gives a directory or {@link MalformedTokenException}.
 */
class IssuerDirectoryPropertiesTest {

    /** JSON punctuation, literals, escapes, whitespace, and text JSON must escape or refuse. */
    private static final String HOSTILE_CHARS =
            "{}[]\":,\\/ \t\n\r" + "-+.0123456789eEtruefalsnbu\u00e9\u0000\u001f\u2028\ud83d\ude00\ud800\udc00";

    /**
     * What the constructor takes as a URI reference, some with text outside ASCII (RFC 3987) that
     * JSON carries unescaped, and a lone surrogate if {@link java.net.URI} lets one through.
     */
    private static final Gen<String> URIS = Gen.oneOf(
                    Gen.strings("abcXYZ019-._~!$&'()*+,;=:@/?", 1, 40).map(s -> "https://issuer.example/" + s),
                    Gen.unicode(1, 10).map(s -> "/request/" + s),
                    Gen.elements("/request", "urn:x", "?a=b", "/%2F%e9", "/\ud800", "/\udc00x"))
            .filter(IssuerDirectoryPropertiesTest::isUriReference);

    private static final Gen<TokenKeyEntry> ENTRIES = Gen.combine(
            Gen.ints(0, 0xFFFF).withEdgeCases(List.of(2)),
            Gen.bytes(1, 300),
            Gen.longs(0, Long.MAX_VALUE).map(OptionalLong::of).withEdgeCases(List.of(OptionalLong.empty())),
            TokenKeyEntry::new);

    private static final Gen<IssuerDirectory> DIRECTORIES =
            Gen.combine(URIS, Gen.lists(ENTRIES, 0, 4), IssuerDirectory::new);

    @Test
    void directoriesRoundTripByteForByte() {
        forAll(DIRECTORIES).describedAs(d -> PropertyCheck.quote(d.toJson())).check(directory -> {
            String json = directory.toJson();

            assertThat(IssuerDirectory.fromJson(json)).isEqualTo(directory);
            assertThat(IssuerDirectory.fromJson(json).toJson()).isEqualTo(json);
        });
    }

    @Test
    void anyTextGivesADirectoryOrMalformed() {
        Gen<String> hostile = Gen.oneOf(
                Gen.strings(HOSTILE_CHARS, 0, 40),
                Gen.textMutations(DIRECTORIES.map(IssuerDirectory::toJson), HOSTILE_CHARS),
                Gen.ints(0, 40).map(depth -> "[".repeat(depth) + "]".repeat(depth)),
                Gen.ints(0, 40).map(depth -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));

        forAll(hostile).shrinkWith(Shrink.string()).check(text -> {
            Outcome.of(() -> IssuerDirectory.readJson("json", text), MalformedTokenException.class);
            Outcome.of(() -> IssuerDirectory.fromJson(text), MalformedTokenException.class)
                    .ifValue(d ->
                            assertThat(IssuerDirectory.fromJson(d.toJson())).isEqualTo(d));
        });
    }

    @Test
    void unicodeEscapesTakeExactlyFourAsciiHexDigits() {
        // '0' first keeps every escape below the surrogates, so only the digits decide.
        Gen<String> digits = Gen.strings("09afAFgG \u0660\u0966\uff10\uff21", 3, 3);

        forAll(digits).check(hex -> {
            boolean asciiHex = hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80);
            Outcome<Object> outcome = Outcome.of(
                    () -> IssuerDirectory.readJson("json", "\"\\u0" + hex + "\""), MalformedTokenException.class);

            assertThat(outcome.failed()).as("refused").isEqualTo(!asciiHex);
            if (asciiHex) {
                assertThat(outcome.value()).isEqualTo(String.valueOf((char) Integer.parseInt(hex, 16)));
            }
        });
    }

    private static boolean isUriReference(String text) {
        try {
            new IssuerDirectory(text, List.of());
            return true;
        } catch (MalformedTokenException e) {
            return false;
        }
    }
}
