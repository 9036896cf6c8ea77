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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.masquerelay.protocol.ProtocolException;

/**
 * RFC 8941 §4.2.2 Dictionaries and §4.2 Items; Lists are exercised through Proxy-Status in {@code
 * ProxyStatusTest}.
 */
class StructuredFieldParserTest {

    /** A typed exception, to show the caller's factory is the one used. */
    static final class TestFieldException extends ProtocolException {
        private static final long serialVersionUID = 1L;

        TestFieldException(String message) {
            super(message);
        }
    }

    private static StructuredFieldParser parser(String input) {
        return new StructuredFieldParser("x-test", input, TestFieldException::new);
    }

    /** Returns "key=value" for each member and "  ;key=value" for each parameter, in order. */
    private static List<String> dictionary(String input) {
        List<String> seen = new ArrayList<>();
        parser(input)
                .parseDictionary(
                        (key, value) -> seen.add(key + "=" + describe(value)),
                        (key, value) -> seen.add("  ;" + key + "=" + describe(value)));
        return seen;
    }

    private static String describe(Object value) {
        if (value instanceof byte[] bytes) {
            return "bytes" + bytes.length;
        }
        return value.getClass().getSimpleName() + ":" + value;
    }

    @Test
    void dictionaryMembersArriveTypedAndInOrder() {
        assertThat(dictionary("a=1, b=\"x\", c=tok, d=:aGk=:, e=?0, f, g=-1.5;p=2;q, h=?1"))
                .containsExactly(
                        "a=Long:1", // Integer, §3.3.1
                        "b=String:x", // String, §3.3.3
                        "c=Token:Token[value=tok]", // Token, §3.3.4
                        "d=bytes2", // Byte Sequence, §3.3.5: "hi"
                        "e=Boolean:false", // Boolean, §3.3.6
                        "f=Boolean:true", // a bare key means true, §4.2.2
                        "g=BigDecimal:-1.5", // Decimal, §3.3.2
                        "  ;p=Long:2",
                        "  ;q=Boolean:true",
                        "h=Boolean:true");
    }

    @Test
    void repeatedKeysArriveAsTheyCome() {
        // RFC 8941 §4.2.2 lets the last one win; strict callers see both and may refuse.
        assertThat(dictionary("a=1,a=2")).containsExactly("a=Long:1", "a=Long:2");
    }

    @Test
    void emptyDictionaryHasNoMembers() {
        assertThat(dictionary("")).isEmpty();
        assertThat(dictionary("   ")).isEmpty();
    }

    @Test
    void byteSequencePaddingIsOptionalOnRead() {
        // RFC 8941 §4.2.7: parsers should not fail on missing padding.
        assertThat(dictionary("d=:aGk:")).containsExactly("d=bytes2");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "a=1 b=2     | x-test: expected ',' after dictionary member at offset 4",
                "a=1,        | x-test: trailing ',' at end of dictionary at offset 4",
                "a=(1 2)     | x-test: inner lists are not allowed in x-test at offset 2",
                "A=1         | x-test: dictionary key must start with a lower-case letter or '*' at offset 0",
                "a=1, ,b     | x-test: dictionary key must start with a lower-case letter or '*' at offset 5",
                "a=          | x-test: expected a dictionary value at offset 2",
                "a=@         | x-test: unrecognized dictionary value at offset 2",
                "a=1;        | x-test: expected a parameter key at offset 4",
                "a=:aGk=x:   | x-test: byte sequence is not valid base64 at offset 9",
            })
    void malformedDictionaryIsMalformed(String input, String message) {
        assertThatThrownBy(() -> dictionary(input))
                .isInstanceOf(TestFieldException.class)
                .hasMessage(message);
    }

    @Test
    void itemReturnsItsBareItemAndParameters() {
        List<String> parameters = new ArrayList<>();
        Object item = parser("  \"abc\";p=1  ").parseItem((key, value) -> parameters.add(key + "=" + value));

        assertThat(item).isEqualTo("abc");
        assertThat(parameters).containsExactly("p=1");
        assertThat(parser("12.500").parseItem((k, v) -> {})).isEqualTo(new BigDecimal("12.500"));
        assertThat(parser("-999999999999999").parseItem((k, v) -> {})).isEqualTo(-999_999_999_999_999L);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "``          | x-test: expected a bare item at offset 0",
                "\"a\" \"b\" | x-test: unexpected character after item at offset 4",
                "\"a\",\"b\" | x-test: unexpected character after item at offset 3",
                "(\"a\")     | x-test: unrecognized bare item at offset 0",
                "\"a\";      | x-test: expected a parameter key at offset 4",
            })
    void malformedItemIsMalformed(String input, String message) {
        assertThatThrownBy(() -> parser(input).parseItem((k, v) -> {}))
                .isInstanceOf(TestFieldException.class)
                .hasMessage(message);
    }

    @Test
    void callbackFailuresCarryTheOffsetOfTheMember() {
        StructuredFieldParser parser = parser("a=1, b=2");

        assertThatThrownBy(() -> parser.parseDictionary(
                        (key, value) -> {
                            if (key.equals("b")) {
                                throw parser.fail("no b");
                            }
                        },
                        (key, value) -> {}))
                .isInstanceOf(TestFieldException.class)
                .hasMessage("x-test: no b at offset 8");
    }

    @Test
    void tokensFollowRfc8941Section334() {
        assertThat(StructuredFieldParser.isToken("*foo:bar/baz!")).isTrue();
        assertThat(StructuredFieldParser.isToken("1foo")).isFalse();
        assertThat(StructuredFieldParser.isToken("foo bar")).isFalse();
        assertThat(StructuredFieldParser.isToken("")).isFalse();
    }
}
