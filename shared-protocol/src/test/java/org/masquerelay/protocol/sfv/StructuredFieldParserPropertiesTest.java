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
package org.masquerelay.protocol.sfv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.masquerelay.protocol.PropertyCheck.forAll;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.Shrink;
import org.masquerelay.protocol.sfv.StructuredFieldParser.Token;
import org.masquerelay.protocol.sfv.StructuredFieldParserTest.TestFieldException;

/**
 * Properties of the RFC 8941 parser: whatever §4.1 serializes (with any of the whitespace §4.2
 * allows) parses back to the same members, items and parameters, and any text gives a value or the
 * caller's exception, never a {@link NumberFormatException} or an index error.
 */
class StructuredFieldParserPropertiesTest {

    /** A key or parameter name with its bare item; byte sequences are held as hex to compare. */
    record Entry(String key, Object value) {}

    /** A dictionary member or list member with its parameters. */
    record Member(Entry item, List<Entry> parameters) {}

    /** Every bare item type of §3.3, with the bounds of Integer and Decimal. */
    private static final Gen<Object> BARE_ITEMS = Gen.oneOf(
            Gen.longs(-999_999_999_999_999L, 999_999_999_999_999L).map(Object.class::cast),
            Gen.combine(
                    Gen.longs(-999_999_999_999_999L, 999_999_999_999_999L),
                    Gen.ints(1, 3),
                    StructuredFieldParserPropertiesTest::decimal),
            SfvGen.STRINGS.map(Object.class::cast),
            SfvGen.TOKENS.map(t -> (Object) new Token(t)),
            Gen.bytes(0, 40).map(b -> (Object) new Bytes(HexFormat.of().formatHex(b))),
            Gen.elements(Boolean.TRUE, Boolean.FALSE));

    /** A byte sequence, held as hex so that items compare with {@code equals}. */
    record Bytes(String hex) {}

    /** A value and its serialization. */
    record Serialized<T>(T value, String text) {}

    private static final Gen<Long> SEEDS = Gen.longs(0, Long.MAX_VALUE);

    private static final Gen<List<Entry>> PARAMETERS =
            Gen.lists(Gen.combine(SfvGen.KEYS, BARE_ITEMS, Entry::new), 0, 3);

    private static final Gen<List<Member>> DICTIONARIES = Gen.lists(
            Gen.combine(SfvGen.KEYS, BARE_ITEMS, PARAMETERS, (k, v, p) -> new Member(new Entry(k, v), p)), 0, 5);

    /** List members are what parseList's building blocks read: strings and tokens. */
    private static final Gen<List<Member>> LISTS = Gen.lists(
            Gen.combine(
                    Gen.oneOf(SfvGen.STRINGS, SfvGen.TOKENS.map(Token::new)),
                    PARAMETERS,
                    (v, p) -> new Member(new Entry("", v), p)),
            0,
            5);

    private static final Gen<Member> ITEMS =
            Gen.combine(BARE_ITEMS, PARAMETERS, (v, p) -> new Member(new Entry("", v), p));

    @Test
    void dictionariesRoundTripWithAnyAllowedWhitespace() {
        forAll(Gen.combine(DICTIONARIES, SEEDS, (d, seed) -> new Serialized<>(d, serialize(d, seed))))
                .check(s -> {
                    List<Member> parsed = new ArrayList<>();
                    parser(s.text())
                            .parseDictionary(
                                    (key, value) -> parsed.add(
                                            new Member(new Entry(key, comparable(value)), new ArrayList<>())),
                                    (key, value) -> parsed.get(parsed.size() - 1)
                                            .parameters()
                                            .add(new Entry(key, comparable(value))));

                    assertThat(parsed).isEqualTo(s.value());
                });
    }

    @Test
    void listsOfStringsAndTokensRoundTrip() {
        forAll(Gen.combine(LISTS, SEEDS, (l, seed) -> new Serialized<>(l, serialize(l, seed))))
                .check(s -> {
                    List<Member> parsed = parser(s.text()).parseList(p -> {
                        Object value = p.peek() == '"' ? p.parseString() : new Token(p.parseToken());
                        List<Entry> parameters = new ArrayList<>();
                        p.parseParameters((key, v) -> parameters.add(new Entry(key, comparable(v))));
                        return new Member(new Entry("", value), parameters);
                    });

                    assertThat(parsed).isEqualTo(s.value());
                });
    }

    @Test
    void itemsRoundTrip() {
        forAll(ITEMS).check(item -> {
            String text = " " + serializeItem(item, 0) + " ";
            List<Entry> parameters = new ArrayList<>();

            Object value = parser(text).parseItem((k, v) -> parameters.add(new Entry(k, comparable(v))));

            assertThat(new Member(new Entry("", comparable(value)), parameters)).isEqualTo(item);
        });
    }

    @Test
    void anyTextGivesAValueOrTheCallersException() {
        Gen<String> hostile = Gen.oneOf(
                Gen.strings(SfvGen.HOSTILE_CHARS, 0, 30),
                Gen.textMutations(DICTIONARIES.map(d -> serialize(d, 0)), SfvGen.HOSTILE_CHARS),
                Gen.textMutations(LISTS.map(l -> serialize(l, 1)), SfvGen.HOSTILE_CHARS));

        forAll(hostile).shrinkWith(Shrink.string()).check(text -> {
            Outcome.ofRun(() -> parser(text).parseDictionary((k, v) -> {}, (k, v) -> {}), TestFieldException.class);
            Outcome.ofRun(() -> parser(text).parseItem((k, v) -> {}), TestFieldException.class);
            Outcome.ofRun(
                    () -> parser(text).parseList(p -> {
                        if (p.peek() == '"') {
                            p.parseString();
                        } else if (StructuredFieldParser.isTokenStart(p.peek())) {
                            p.parseToken();
                        } else {
                            throw p.fail("not a string or token");
                        }
                        p.parseParameters((k, v) -> {});
                        return null;
                    }),
                    TestFieldException.class);
        });
    }

    private static StructuredFieldParser parser(String input) {
        return new StructuredFieldParser("x-test", input, TestFieldException::new);
    }

    /** A Decimal of 1 to 3 fractional digits and at most 12 integer digits (§3.3.2). */
    private static Object decimal(long unscaled, int scale) {
        return BigDecimal.valueOf(unscaled, scale).remainder(BigDecimal.ONE.movePointRight(12));
    }

    private static Object comparable(Object value) {
        return value instanceof byte[] bytes ? new Bytes(HexFormat.of().formatHex(bytes)) : value;
    }

    /**
     * Serializes members as §4.1 does, with whitespace chosen by {@code seed} among what §4.2
     * accepts: spaces before the first member, OWS around commas, spaces after semicolons.
     */
    static String serialize(List<Member> members, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(" ".repeat(random.nextInt(2)));
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                sb.append(random.nextBoolean() ? "" : "\t ").append(',').append(random.nextBoolean() ? " " : " \t");
            }
            Member m = members.get(i);
            if (m.item().key().isEmpty()) {
                sb.append(serializeItem(m, random.nextInt(2)));
            } else {
                sb.append(m.item().key());
                if (!Boolean.TRUE.equals(m.item().value()) || random.nextBoolean()) {
                    sb.append('=').append(serializeItem(m, random.nextInt(2)));
                } else {
                    sb.append(serializeParameters(m.parameters(), random.nextInt(2)));
                }
            }
        }
        return sb.append(" ".repeat(random.nextInt(2))).toString();
    }

    private static String serializeItem(Member m, int spaces) {
        return serializeBare(m.item().value()) + serializeParameters(m.parameters(), spaces);
    }

    private static String serializeParameters(List<Entry> parameters, int spaces) {
        StringBuilder sb = new StringBuilder();
        for (Entry p : parameters) {
            sb.append(';').append(" ".repeat(spaces)).append(p.key());
            if (!Boolean.TRUE.equals(p.value())) {
                sb.append('=').append(serializeBare(p.value()));
            }
        }
        return sb.toString();
    }

    private static String serializeBare(Object value) {
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        if (value instanceof Token t) {
            return t.value();
        }
        if (value instanceof Bytes b) {
            return ':' + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(b.hex())) + ':';
        }
        if (value instanceof Boolean b) {
            return b ? "?1" : "?0";
        }
        return value.toString();
    }
}
