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
package org.masquerelay.protocol.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.masquerelay.protocol.PropertyCheck.forAll;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.sfv.SfvGen;
import org.masquerelay.protocol.sfv.StructuredFieldParser;

/**
 * Properties of the RFC 9209 Proxy-Status field: members round-trip byte for byte, the lossy cases
 * (non-ASCII text, long details) lose exactly what the javadoc says, and any field value gives
 * members or {@link MalformedProxyStatusException}.
 */
class ProxyStatusPropertiesTest {

    private static final Gen<String> ERROR_TOKENS = Gen.oneOf(
            Gen.elements(Arrays.stream(ProxyErrorType.values())
                    .map(ProxyErrorType::token)
                    .toList()),
            SfvGen.TOKENS);

    /** Members that survive serialization unchanged: printable ASCII, details within the cut. */
    private static final Gen<ProxyStatus> MEMBERS = Gen.combine(
            Gen.oneOf(SfvGen.TOKENS, SfvGen.STRINGS.map(s -> "n" + s)),
            ERROR_TOKENS.orNull(),
            Gen.oneOf(SfvGen.STRINGS, Gen.constant("d".repeat(ProxyStatus.MAX_DETAILS_LENGTH)))
                    .orNull(),
            ProxyStatus::new);

    @Test
    void membersAndListsRoundTripByteForByte() {
        forAll(Gen.lists(MEMBERS, 1, 4)).check(members -> {
            String value = members.stream().map(ProxyStatus::toHeaderValue).collect(Collectors.joining(", "));

            List<ProxyStatus> parsed = ProxyStatus.parseList(value);

            assertThat(parsed).isEqualTo(members);
            assertThat(ProxyStatus.parse(value)).isEqualTo(members.get(members.size() - 1));
            assertThat(parsed.stream().map(ProxyStatus::toHeaderValue).collect(Collectors.joining(", ")))
                    .isEqualTo(value);
        });
    }

    @Test
    void anyTextLosesOnlyWhatTheSerializationDocuments() {
        Gen<String> text = Gen.oneOf(Gen.unicode(1, 300), SfvGen.STRINGS.map(s -> "x" + s));

        forAll(Gen.combine(text, text, (name, details) -> new ProxyStatus(name, null, details)))
                .check(status -> {
                    ProxyStatus parsed = ProxyStatus.parse(status.toHeaderValue());

                    assertThat(parsed.proxyName()).isEqualTo(printable(status.proxyName(), Integer.MAX_VALUE));
                    assertThat(parsed.details()).isEqualTo(printable(status.details(), ProxyStatus.MAX_DETAILS_LENGTH));
                });
    }

    @Test
    void anyFieldValueGivesMembersThatReserializeOrMalformedProxyStatus() {
        Gen<String> hostile = Gen.oneOf(
                Gen.strings(SfvGen.HOSTILE_CHARS + "errodtails", 0, 40),
                Gen.textMutations(
                        Gen.lists(MEMBERS, 1, 3)
                                .map(m -> m.stream()
                                        .map(ProxyStatus::toHeaderValue)
                                        .collect(Collectors.joining(", "))),
                        SfvGen.HOSTILE_CHARS));

        forAll(hostile).shrinkWith(Shrink.string()).check(value -> {
            Outcome.of(() -> ProxyStatus.parse(value), MalformedProxyStatusException.class);
            Outcome.of(() -> ProxyStatus.parseList(value), MalformedProxyStatusException.class)
                    .ifValue(members -> members.forEach(ProxyStatusPropertiesTest::assertReparses));
        });
    }

    @Test
    void everyErrorTypeIsFoundByItsTokenAndNothingElseIs() {
        forAll(Gen.oneOf(ERROR_TOKENS, Gen.strings(SfvGen.HOSTILE_CHARS, 0, 12)).orNull())
                .check(token -> {
                    var type = ProxyErrorType.fromToken(token);

                    type.ifPresent(t -> assertThat(t.token()).isEqualTo(token));
                    assertThat(type.isPresent())
                            .isEqualTo(Arrays.stream(ProxyErrorType.values())
                                    .anyMatch(t -> t.token().equals(token)));
                });
        for (ProxyErrorType type : ProxyErrorType.values()) {
            assertThat(StructuredFieldParser.isToken(type.token())).isTrue();
            assertThat(type.status()).isBetween(400, 599);
            assertThat(ProxyStatus.parse(ProxyStatus.of("egress", type, null).toHeaderValue())
                            .error())
                    .contains(type);
        }
    }

    /** Parsed text is printable ASCII already, so only the documented cut of details applies. */
    private static void assertReparses(ProxyStatus member) {
        String details = member.details() == null ? null : printable(member.details(), ProxyStatus.MAX_DETAILS_LENGTH);
        assertThat(ProxyStatus.parse(member.toHeaderValue()))
                .isEqualTo(new ProxyStatus(member.proxyName(), member.errorToken(), details));
    }

    /** What {@link ProxyStatus#toHeaderValue()} keeps of text: printable ASCII, others as '?'. */
    private static String printable(String text, int maxCodePoints) {
        StringBuilder sb = new StringBuilder();
        text.codePoints().limit(maxCodePoints).forEach(cp -> sb.append(cp >= 0x20 && cp <= 0x7E ? (char) cp : '?'));
        return sb.toString();
    }
}
