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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.masquerelay.protocol.sfv.StructuredFieldParser;
import org.masquerelay.protocol.varint.VarInt;

/**
 * The ingress's signed statement of a client's coarse location (docs/architecture.md §4), carried in the {@code
 * geo-assertion} field: an <a href="https://www.rfc-editor.org/rfc/rfc8941#section-3.2">RFC 8941
 * §3.2</a> Dictionary with exactly these members, in this order, without parameters:
 *
 * <pre>
 * gh="u4pru", cc="GB", exp=1764003600, kid="k1", sig=:&lt;base64 of 64 bytes&gt;:
 * </pre>
 *
 * <table>
 *   <caption>Members</caption>
 *   <tr><th>member</th><th>type (RFC 8941)</th><th>value</th></tr>
 *   <tr><td>{@code gh}</td><td>String §3.3.3</td><td>geohash, 1-12 characters of the geohash
 *       base32 alphabet</td></tr>
 *   <tr><td>{@code cc}</td><td>String</td><td>ISO 3166-1 alpha-2 country, upper case</td></tr>
 *   <tr><td>{@code exp}</td><td>Integer §3.3.1</td><td>{@code not_after}, Unix seconds; valid
 *       while now &le; exp</td></tr>
 *   <tr><td>{@code kid}</td><td>String</td><td>signing key id, 1-32 of {@code A-Za-z0-9_-}</td></tr>
 *   <tr><td>{@code sig}</td><td>Byte Sequence §3.3.5</td><td>Ed25519 signature (<a
 *       href="https://www.rfc-editor.org/rfc/rfc8032#section-5.1.6">RFC 8032 §5.1.6</a>) over
 *       {@link #toBeSigned}</td></tr>
 * </table>
 *
 * <p><b>One encoding per assertion.</b> {@link #toHeaderValue()} is the RFC 8941 §4.1 serialization
 * (members joined by {@code ", "}, padded base64), and {@link #parse} accepts only that exact text.
 * With the rounded {@code exp} and deterministic Ed25519, every client in one cell and window
 * therefore sends byte-identical values, so the egress cannot tell them apart (docs/architecture.md §2), and it
 * may cache verification results by the field's bytes.
 *
 * @param geohash the asserted geohash cell
 * @param country the asserted country
 * @param notAfter the last second, in Unix time, at which the assertion is valid
 * @param keyId the id of the ingress key that signed
 * @param signature the 64-byte Ed25519 signature; copied in and out
 */
public record GeoAssertion(String geohash, String country, long notAfter, String keyId, byte[] signature) {

    /** The response and request field that carries the assertion (docs/architecture.md §4). */
    public static final String FIELD = "geo-assertion";

    /**
     * Longest field value read. The longest valid value is 183 characters (12-character geohash,
     * 15-digit exp, 32-character kid); anything longer is refused before parsing.
     */
    public static final int MAX_FIELD_LENGTH = 256;

    /** Ed25519 signature length (RFC 8032 §5.1.6). */
    public static final int SIGNATURE_LENGTH = 64;

    /** Largest RFC 8941 §3.3.1 Integer, and so the largest {@code exp}. */
    static final long MAX_NOT_AFTER = 999_999_999_999_999L;

    /**
     * Context label that starts the signed bytes, with a NUL terminator, so that a signature made
     * here can never be taken for one over another message format signed with the same key.
     */
    static final String CONTEXT = "masque-relay geo-assertion v1";

    private static final List<String> MEMBERS = List.of("gh", "cc", "exp", "kid", "sig");

    /**
     * Validates the components and copies the signature.
     *
     * @throws IllegalArgumentException if a component is outside the syntax in the table above
     */
    public GeoAssertion {
        GeoSyntax.require("geohash", GeoSyntax.geohashProblem(geohash));
        GeoSyntax.require("country", GeoSyntax.countryProblem(country));
        if (notAfter < 0 || notAfter > MAX_NOT_AFTER) {
            throw new IllegalArgumentException("notAfter: " + notAfter + " (expected: 0-" + MAX_NOT_AFTER + ")");
        }
        GeoSyntax.require("keyId", GeoSyntax.keyIdProblem(keyId));
        Objects.requireNonNull(signature, "signature");
        if (signature.length != SIGNATURE_LENGTH) {
            throw new IllegalArgumentException(
                    "signature: " + signature.length + " bytes (expected: " + SIGNATURE_LENGTH + ")");
        }
        signature = signature.clone();
    }

    /** Returns a copy of the signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Returns the asserted location, in the form a client sends as {@code sec-ch-geohash}. */
    public SecChGeohash location() {
        return new SecChGeohash(geohash, country);
    }

    /**
     * Returns the bytes the signature covers:
     *
     * <pre>
     * "masque-relay geo-assertion v1" 0x00        context label, ASCII, NUL-terminated
     * varint(len(geohash))  geohash               RFC 9000 §16 varint length, then ASCII
     * varint(len(country))  country
     * varint(notAfter)                            the value itself as a varint
     * varint(len(keyId))    keyId
     * </pre>
     *
     * <p>Every variable field is length-prefixed, so no field can be shifted into its neighbour,
     * and the key id is covered, so an assertion cannot be re-labelled to another key.
     */
    static byte[] toBeSigned(String geohash, String country, long notAfter, String keyId) {
        ByteBuf out = Unpooled.buffer(64);
        try {
            out.writeCharSequence(CONTEXT, StandardCharsets.US_ASCII);
            out.writeByte(0);
            writeString(out, geohash);
            writeString(out, country);
            VarInt.write(out, notAfter);
            writeString(out, keyId);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private static void writeString(ByteBuf out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        VarInt.write(out, bytes.length);
        out.writeBytes(bytes);
    }

    /** Returns the bytes {@link #signature()} covers, see {@link #toBeSigned}. */
    byte[] toBeSigned() {
        return toBeSigned(geohash, country, notAfter, keyId);
    }

    /** Returns the field value, byte for byte the one {@link #parse} accepts. */
    public String toHeaderValue() {
        return "gh=\"" + geohash + "\", cc=\"" + country + "\", exp=" + notAfter + ", kid=\"" + keyId + "\", sig=:"
                + Base64.getEncoder().encodeToString(signature) + ":";
    }

    /**
     * Parses a {@code geo-assertion} field value. Only syntax is checked here; {@link
     * GeoAssertionVerifier} checks the signature and times.
     *
     * @throws GeoAssertionException with reason {@link GeoAssertionException.Reason#MALFORMED} if
     *     the value is longer than {@value #MAX_FIELD_LENGTH} characters, is not an RFC 8941
     *     Dictionary, has an unknown, missing, repeated or out-of-order member, a parameter, a
     *     member of the wrong type or syntax, or is not in the exact form {@link #toHeaderValue()}
     *     writes
     */
    public static GeoAssertion parse(String fieldValue) {
        StructuredFieldParser parser = GeoSyntax.fieldParser(FIELD, fieldValue, MAX_FIELD_LENGTH);
        Object[] values = new Object[MEMBERS.size()];
        int[] last = {-1};
        parser.parseDictionary(
                (key, value) -> {
                    int index = MEMBERS.indexOf(key);
                    if (index < 0) {
                        throw parser.fail("unknown member '" + key + "' (expected: " + order() + ")");
                    }
                    if (values[index] != null) {
                        throw parser.fail("repeated member '" + key + "'");
                    }
                    if (index < last[0]) {
                        throw parser.fail("member '" + key + "' out of order (expected: " + order() + ")");
                    }
                    String problem = memberProblem(key, value);
                    if (problem != null) {
                        throw parser.fail(key + " " + problem);
                    }
                    values[index] = value;
                    last[0] = index;
                },
                GeoSyntax.noParameters(parser));
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw GeoAssertionException.malformed(FIELD + ": missing member '" + MEMBERS.get(i) + "'");
            }
        }
        GeoAssertion assertion = new GeoAssertion(
                (String) values[0], (String) values[1], (Long) values[2], (String) values[3], (byte[]) values[4]);
        if (!assertion.toHeaderValue().equals(fieldValue)) {
            throw GeoAssertionException.malformed(FIELD + ": not in canonical form"
                    + " (expected: RFC 8941 §4.1 serialization, members joined by \", \", padded base64)");
        }
        return assertion;
    }

    /** Returns the problem with one member's value, or null; {@code key} is a known member. */
    private static @Nullable String memberProblem(String key, Object value) {
        return switch (key) {
            case "gh" -> value instanceof String s ? GeoSyntax.geohashProblem(s) : notA("String");
            case "cc" -> value instanceof String s ? GeoSyntax.countryProblem(s) : notA("String");
            case "kid" -> value instanceof String s ? GeoSyntax.keyIdProblem(s) : notA("String");
            case "exp" ->
                value instanceof Long l ? (l < 0 ? "is negative (expected: Unix seconds)" : null) : notA("Integer");
            default ->
                value instanceof byte[] b
                        ? (b.length == SIGNATURE_LENGTH
                                ? null
                                : "has " + b.length + " bytes (expected: " + SIGNATURE_LENGTH + ")")
                        : notA("Byte Sequence");
        };
    }

    private static String notA(String type) {
        return "is not an RFC 8941 " + type;
    }

    private static String order() {
        return String.join(", ", MEMBERS);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeoAssertion other
                && geohash.equals(other.geohash)
                && country.equals(other.country)
                && notAfter == other.notAfter
                && keyId.equals(other.keyId)
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(geohash, country, notAfter, keyId) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "GeoAssertion[" + toHeaderValue() + "]";
    }
}
