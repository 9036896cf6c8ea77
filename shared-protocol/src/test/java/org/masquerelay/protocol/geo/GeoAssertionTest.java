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
package org.masquerelay.protocol.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.masquerelay.protocol.geo.Refusals.assertRefused;
import static org.masquerelay.protocol.geo.Rfc8032.FIELD;
import static org.masquerelay.protocol.geo.Rfc8032.NOT_AFTER;
import static org.masquerelay.protocol.geo.Rfc8032.SIGNATURE_BASE64;

import java.util.Base64;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.masquerelay.protocol.geo.GeoAssertionException.Reason;

/** The {@code geo-assertion} field (docs/architecture.md §4): signed bytes, RFC 8941 §3.2 Dictionary, strict parse. */
class GeoAssertionTest {

    private static final String SIG = ":" + SIGNATURE_BASE64 + ":";

    @Test
    void signedBytesFollowTheDocumentedLayout() {
        String expected = ""
                + "6d61737175652d72656c61792067656f2d617373657274696f6e207631" // "masque-relay geo-assertion v1"
                + "00" // NUL ends the context label
                + "05" + "7534707275" // varint length 5, geohash "u4pru"
                + "02" + "4742" // varint length 2, country "GB"
                + "c000000069248f10" // not_after 1764003600 as an 8-byte varint (above 2^30-1)
                + "02" + "6b31"; // varint length 2, key id "k1"

        assertThat(HexFormat.of().formatHex(GeoAssertion.toBeSigned("u4pru", "GB", NOT_AFTER, "k1")))
                .isEqualTo(expected);
    }

    @Test
    void lengthPrefixesKeepFieldsFromShiftingIntoEachOther() {
        // Without lengths, "u4pr"+"u..." and "u4pru"+"..." could concatenate alike; here the geohash
        // ends where its length says, so moving a character between fields changes the bytes.
        assertThat(GeoAssertion.toBeSigned("u4pr", "GB", 1, "uk1"))
                .isNotEqualTo(GeoAssertion.toBeSigned("u4pru", "GB", 1, "k1"));
        assertThat(GeoAssertion.toBeSigned("u", "GB", 0x4742, "k1"))
                .isNotEqualTo(GeoAssertion.toBeSigned("u", "GB", 0x47, "k1"));
    }

    @Test
    void rfc8032Test1KeySignsThePinnedField() {
        GeoAssertion assertion = Rfc8032.signedAssertion();

        assertThat(assertion.toHeaderValue()).isEqualTo(FIELD);
        assertThat(FIELD)
                .isEqualTo("gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"k1\", sig=:nlhDu18iTtBZfw45"
                        + "aQ1C+rx4Jc7j7GamV6FfhV3NhxiRNUMtnNXWlXRdTPgaSnRlHmr+R0Fr+ME3teE9tUB0DQ==:");
    }

    @Test
    void parsesThePinnedFieldAndWritesItBackByteForByte() {
        GeoAssertion parsed = GeoAssertion.parse(FIELD);

        assertThat(parsed.geohash()).isEqualTo("u4pru");
        assertThat(parsed.country()).isEqualTo("GB");
        assertThat(parsed.notAfter()).isEqualTo(NOT_AFTER);
        assertThat(parsed.keyId()).isEqualTo("k1");
        assertThat(parsed.signature()).isEqualTo(Base64.getDecoder().decode(SIGNATURE_BASE64));
        assertThat(parsed).isEqualTo(Rfc8032.signedAssertion()).hasSameHashCodeAs(Rfc8032.signedAssertion());
        assertThat(parsed.toHeaderValue()).isEqualTo(FIELD);
        assertThat(parsed.location()).isEqualTo(new SecChGeohash("u4pru", "GB"));
    }

    @Test
    void longestValidFieldFitsTheLimit() {
        GeoAssertion longest =
                new GeoAssertion("u4pruydqqvj8", "GB", GeoAssertion.MAX_NOT_AFTER, "k".repeat(32), new byte[64]);

        assertThat(longest.toHeaderValue()).hasSize(183);
        assertThat(GeoAssertion.parse(longest.toHeaderValue())).isEqualTo(longest);
        assertThat(183).isLessThanOrEqualTo(GeoAssertion.MAX_FIELD_LENGTH);
    }

    @Test
    void signatureIsCopiedInAndOut() {
        byte[] signature = new byte[64];
        GeoAssertion assertion = new GeoAssertion("u4pru", "GB", 1, "k1", signature);
        signature[0] = 1;
        assertion.signature()[1] = 1;

        assertThat(assertion.signature()).isEqualTo(new byte[64]);
    }

    @Test
    void toStringShowsTheField() {
        assertThat(GeoAssertion.parse(FIELD)).hasToString("GeoAssertion[" + FIELD + "]");
    }

    static Stream<Arguments> malformedFields() {
        String tail = ", cc=\"GB\", exp=1764003600, kid=\"k1\", sig=" + SIG;
        return Stream.of(
                // Size and Dictionary syntax (RFC 8941 §4.2.2).
                arguments("x".repeat(257), "geo-assertion: 257 characters (expected: at most 256)"),
                arguments("", "geo-assertion: missing member 'gh'"),
                arguments(
                        "\"u4pru-GB\"",
                        "geo-assertion: dictionary key must start with a lower-case letter or '*' at offset 0"),
                arguments("gh=\"u4pru\" cc=\"GB\"", "geo-assertion: expected ',' after dictionary member at offset 11"),
                arguments(FIELD + ",", "geo-assertion: trailing ',' at end of dictionary at offset 142"),
                arguments("gh=\"u4pru", "geo-assertion: unterminated string at offset 3"),
                arguments(
                        "gh=(\"u4pru\")" + tail,
                        "geo-assertion: inner lists are not allowed in geo-assertion at offset 3"),
                // Members: unknown, repeated, out of order, missing, with parameters.
                arguments(
                        FIELD + ", v=1",
                        "geo-assertion: unknown member 'v' (expected: gh, cc, exp, kid, sig) at offset 146"),
                arguments("gh=\"u4pru\", gh=\"u4pru\"" + tail, "geo-assertion: repeated member 'gh' at offset 22"),
                arguments(
                        "cc=\"GB\", gh=\"u4pru\"",
                        "geo-assertion: member 'gh' out of order (expected: gh, cc, exp, kid, sig) at offset 19"),
                arguments("gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"k1\"", "geo-assertion: missing member 'sig'"),
                arguments("gh=\"u4pru\", cc=\"GB\", kid=\"k1\", sig=" + SIG, "geo-assertion: missing member 'exp'"),
                arguments("gh=\"u4pru\";v=1" + tail, "geo-assertion: parameter 'v' not allowed at offset 14"),
                // Member types (RFC 8941 §3.3).
                arguments("gh=u4pru" + tail, "geo-assertion: gh is not an RFC 8941 String at offset 8"),
                arguments("gh" + tail, "geo-assertion: gh is not an RFC 8941 String at offset 2"),
                arguments(
                        "gh=\"u4pru\", cc=GB, exp=1764003600, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: cc is not an RFC 8941 String at offset 17"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=\"1764003600\", kid=\"k1\", sig=" + SIG,
                        "geo-assertion: exp is not an RFC 8941 Integer at offset 37"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1234567890123.5, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: decimal has more than 12 integer digits at offset 38"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=17640036.5, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: exp is not an RFC 8941 Integer at offset 35"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600123456, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: integer has more than 15 digits at offset 41"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=-1, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: exp is negative (expected: Unix seconds) at offset 27"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=k1, sig=" + SIG,
                        "geo-assertion: kid is not an RFC 8941 String at offset 43"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"k1\", sig=\"" + SIGNATURE_BASE64 + "\"",
                        "geo-assertion: sig is not an RFC 8941 Byte Sequence at offset 141"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"k1\", sig=:AAAA:",
                        "geo-assertion: sig has 3 bytes (expected: 64) at offset 57"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"k1\", sig=:A:",
                        "geo-assertion: byte sequence is not valid base64 at offset 54"),
                // Value syntax: geohash base32, ISO 3166-1 alpha-2, key id.
                arguments(
                        "gh=\"u4pra\"" + tail,
                        "geo-assertion: gh has 'a' at index 4"
                                + " (expected: geohash base32, 0123456789bcdefghjkmnpqrstuvwxyz) at offset 10"),
                arguments(
                        "gh=\"U4PRU\"" + tail,
                        "geo-assertion: gh has 'U' at index 0"
                                + " (expected: geohash base32, 0123456789bcdefghjkmnpqrstuvwxyz) at offset 10"),
                arguments(
                        "gh=\"u4pr u\"" + tail,
                        "geo-assertion: gh has ' ' at index 4"
                                + " (expected: geohash base32, 0123456789bcdefghjkmnpqrstuvwxyz) at offset 11"),
                arguments(
                        "gh=\"\"" + tail, "geo-assertion: gh is empty (expected: 1-12 geohash characters) at offset 5"),
                arguments(
                        "gh=\"u4pruydqqvj8z\"" + tail,
                        "geo-assertion: gh has 13 characters (expected: 1-12) at offset 18"),
                arguments(
                        "gh=\"u4pru\", cc=\"gb\", exp=1764003600, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: cc is not two upper-case letters (expected: ISO 3166-1 alpha-2, e.g. GB) at offset 19"),
                arguments(
                        "gh=\"u4pru\", cc=\"GBR\", exp=1764003600, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: cc is not two upper-case letters (expected: ISO 3166-1 alpha-2, e.g. GB) at offset 20"),
                arguments(
                        "gh=\"u4pru\", cc=\"G1\", exp=1764003600, kid=\"k1\", sig=" + SIG,
                        "geo-assertion: cc is not two upper-case letters (expected: ISO 3166-1 alpha-2, e.g. GB) at offset 19"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"k.1\", sig=" + SIG,
                        "geo-assertion: kid has '.' at index 1 (expected: A-Z a-z 0-9 _ -) at offset 46"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"\", sig=" + SIG,
                        "geo-assertion: kid has 0 characters (expected: 1-32) at offset 43"),
                arguments(
                        "gh=\"u4pru\", cc=\"GB\", exp=1764003600, kid=\"" + "k".repeat(33) + "\", sig=" + SIG,
                        "geo-assertion: kid has 33 characters (expected: 1-32) at offset 76"),
                // Valid RFC 8941, but not the one canonical form.
                arguments(" " + FIELD, canonical()),
                arguments(FIELD + " ", canonical()),
                arguments(FIELD.replace(", ", ","), canonical()),
                arguments(FIELD.replace(", cc", ",\tcc"), canonical()),
                arguments(FIELD.replace("==:", ":"), canonical()));
    }

    private static String canonical() {
        return "geo-assertion: not in canonical form"
                + " (expected: RFC 8941 §4.1 serialization, members joined by \", \", padded base64)";
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedFields")
    void malformedFieldIsMalformed(String field, String message) {
        assertRefused(() -> GeoAssertion.parse(field), Reason.MALFORMED).hasMessage(message);
    }

    @Test
    void nonAsciiInStringIsMalformed() {
        assertRefused(() -> GeoAssertion.parse("gh=\"u4prü\", cc=\"GB\""), Reason.MALFORMED)
                .hasMessage("geo-assertion: string contains a character outside printable ASCII at offset 8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "u4pra", "u4pruydqqvj8z"})
    void recordRejectsInvalidGeohash(String geohash) {
        assertThatThrownBy(() -> new GeoAssertion(geohash, "GB", 1, "k1", new byte[64]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("geohash ");
    }

    @Test
    void recordRejectsInvalidComponents() {
        assertThatThrownBy(() -> new GeoAssertion("u4pru", "gb", 1, "k1", new byte[64]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("country ");
        assertThatThrownBy(() -> new GeoAssertion("u4pru", "GB", -1, "k1", new byte[64]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("notAfter: -1 (expected: 0-999999999999999)");
        assertThatThrownBy(() -> new GeoAssertion("u4pru", "GB", 1_000_000_000_000_000L, "k1", new byte[64]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GeoAssertion("u4pru", "GB", 1, "k/1", new byte[64]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyId has '/' at index 1 (expected: A-Z a-z 0-9 _ -)");
        assertThatThrownBy(() -> new GeoAssertion("u4pru", "GB", 1, "k1", new byte[63]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("signature: 63 bytes (expected: 64)");
        assertThatThrownBy(() -> new GeoAssertion("u4pru", "GB", 1, "k1", null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new GeoAssertion("u4pru", "GB", 1, "k\n", new byte[64]))
                .hasMessage("keyId has U+000A at index 1 (expected: A-Z a-z 0-9 _ -)");
    }
}
