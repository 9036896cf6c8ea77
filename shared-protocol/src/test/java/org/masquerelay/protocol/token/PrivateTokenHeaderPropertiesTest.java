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

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.Shrink;

/**
 * Properties of the {@code PrivateToken} HTTP authentication scheme (RFC 9577 §2.1.2, §2.2.2):
 * challenges and credentials round-trip byte for byte, challenges of other schemes around them are
 * skipped, and any field value gives a value or {@link MalformedTokenException}.
 */
class PrivateTokenHeaderPropertiesTest {

    /** RFC 9110 §11 punctuation, base64url, whitespace and text outside ASCII. */
    private static final String HOSTILE_CHARS =
            " \t,=\"\\;:/+-_.~AQgwz09PrivateTokenchalgekymxBsc\u00e9\u0100\u0000\u007f";

    private static final Gen<OptionalLong> MAX_AGES = Gen.longs(0, PrivateTokenChallenge.MAX_MAX_AGE)
            .withEdgeCases(List.of(0L, 10L))
            .map(OptionalLong::of)
            .withEdgeCases(List.of(OptionalLong.empty()));

    private static final Gen<PrivateTokenChallenge> CHALLENGES =
            Gen.combine(Gen.bytes(2, 120), Gen.bytes(0, 300).orNull(), MAX_AGES, PrivateTokenChallenge::new);

    /** Challenges of other schemes, which a client must step over (RFC 9110 §11.6.1). */
    private static final Gen<String> OTHER_SCHEMES = Gen.elements(
            "Basic realm=\"relay\"",
            "Bearer",
            "Bearer abc.DEF-_~+/==",
            "Digest realm=\"x\", qop=\"auth,auth-int\", nonce=abc",
            "Negotiate a87421000492aa874209af8bc028");

    @Test
    void challengeListsRoundTripByteForByteAmongOtherSchemes() {
        Gen<Mixed> fieldValues = Gen.combine(
                Gen.lists(CHALLENGES, 0, 3),
                Gen.lists(OTHER_SCHEMES, 0, 3),
                Gen.longs(0, Long.MAX_VALUE),
                (challenges, others, seed) -> new Mixed(challenges, interleave(challenges, others, seed)));

        forAll(fieldValues).tries(500).check(mixed -> {
            List<PrivateTokenChallenge> parsed = PrivateTokenChallenge.parse(mixed.fieldValue());

            assertThat(parsed).isEqualTo(mixed.challenges());
            String alone = PrivateTokenChallenge.toFieldValue(mixed.challenges());
            assertThat(PrivateTokenChallenge.toFieldValue(PrivateTokenChallenge.parse(alone)))
                    .isEqualTo(alone);
        });
    }

    @Test
    void credentialsRoundTripByteForByte() {
        forAll(Gen.bytes(0, 400).withEdgeCases(List.of(new byte[Token.LENGTH]))).check(token -> {
            PrivateTokenCredentials credentials = new PrivateTokenCredentials(token);
            String value = credentials.toFieldValue();

            assertThat(PrivateTokenCredentials.parse(value)).isEqualTo(credentials);
            assertThat(PrivateTokenCredentials.parse(value).toFieldValue()).isEqualTo(value);
        });
    }

    @Test
    void anyFieldValueGivesChallengesThatReserializeOrMalformed() {
        Gen<String> valid = Gen.lists(CHALLENGES, 1, 2).map(PrivateTokenChallenge::toFieldValue);
        Gen<String> hostile = Gen.oneOf(
                Gen.strings(HOSTILE_CHARS, 0, 40),
                Gen.textMutations(valid, HOSTILE_CHARS),
                Gen.textMutations(valid, "0123456789"));

        forAll(hostile)
                .shrinkWith(Shrink.string())
                .check(value -> Outcome.of(() -> PrivateTokenChallenge.parse(value), MalformedTokenException.class)
                        .ifValue(challenges -> challenges.forEach(PrivateTokenHeaderPropertiesTest::assertReparses)));
    }

    @Test
    void anyFieldValueGivesCredentialsThatReserializeOrMalformed() {
        Gen<String> hostile = Gen.oneOf(
                Gen.strings(HOSTILE_CHARS, 0, 40),
                Gen.textMutations(
                        Gen.bytes(0, 40).map(t -> new PrivateTokenCredentials(t).toFieldValue()), HOSTILE_CHARS));

        forAll(hostile)
                .shrinkWith(Shrink.string())
                .check(value -> Outcome.of(() -> PrivateTokenCredentials.parse(value), MalformedTokenException.class)
                        .ifValue(PrivateTokenHeaderPropertiesTest::assertReparses));
    }

    /** Writes a parsed challenge again and reads it back; its TokenChallenge decodes or not. */
    private static void assertReparses(PrivateTokenChallenge challenge) {
        assertThat(PrivateTokenChallenge.parse(challenge.toFieldValue())).containsExactly(challenge);
        Outcome.of(challenge::decodeChallenge, MalformedTokenException.class);
    }

    /** Writes parsed credentials again and reads them back; the token decodes or not. */
    private static void assertReparses(PrivateTokenCredentials credentials) {
        assertThat(PrivateTokenCredentials.parse(credentials.toFieldValue())).isEqualTo(credentials);
        Outcome.of(credentials::decodeToken, MalformedTokenException.class);
    }

    /** PrivateToken challenges and the field value that holds them among others. */
    record Mixed(List<PrivateTokenChallenge> challenges, String fieldValue) {}

    /** Joins the challenges, in order, with the other schemes' challenges at random places. */
    private static String interleave(List<PrivateTokenChallenge> challenges, List<String> others, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> all = new ArrayList<>();
        challenges.forEach(c -> all.add(c.toFieldValue()));
        for (String other : others) {
            all.add(random.nextInt(all.size() + 1), other);
        }
        return all.stream().collect(Collectors.joining(random.nextBoolean() ? ", " : " ,\t"));
    }
}
