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

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Gen;
import org.masquerelay.protocol.Hex;
import org.masquerelay.protocol.Outcome;
import org.masquerelay.protocol.Shrink;

/**
 * Properties of the binary Privacy Pass structures (RFC 9577 §2, RFC 9578 §6): each decoder is
 * strict, so whatever it accepts encodes back to the very input bytes; valid values round-trip; and
 * any bytes give a value or {@link MalformedTokenException}, never a buffer or ASN.1 exception.
 */
class TokenCodecPropertiesTest {

    /** Characters allowed in a server name (RFC 9577 §2.1.1.1): visible ASCII but ',' and '@'. */
    private static final String SERVER_NAME_CHARS = "abcxyzABC019.-:[]_~!$&'()*+;=/?#%\"<>\\^`{|}";

    private static final Gen<String> SERVER_NAMES = Gen.strings(SERVER_NAME_CHARS, 1, 40);

    private static final Gen<TokenChallenge> CHALLENGES = Gen.combine(
            Gen.ints(0, 0xFFFF).withEdgeCases(List.of(PublicTokenIssuance.TOKEN_TYPE)),
            SERVER_NAMES.withEdgeCases(List.of("i".repeat(0xFFFF))),
            redemptionContexts(),
            Gen.lists(SERVER_NAMES, 0, 4).map(origins -> String.join(",", origins)),
            TokenChallenge::new);

    private static final Gen<Token> TOKENS = Gen.combine(
            Gen.bytes(Token.NONCE_LENGTH),
            Gen.bytes(Token.NONCE_LENGTH),
            Gen.bytes(PublicTokenIssuance.NID),
            Gen.bytes(PublicTokenIssuance.NK),
            Token::new);

    private static final Gen<TokenRequest> REQUESTS =
            Gen.combine(Gen.ints(0, 0xFF), Gen.bytes(PublicTokenIssuance.NK), TokenRequest::new);

    private static final Gen<TokenResponse> RESPONSES =
            Gen.bytes(PublicTokenIssuance.NK).map(TokenResponse::new);

    /**
     * The RFC 9578 A.2 key and two more 2048-bit moduli, each with public exponents of any size.
     */
    private static final Gen<TokenKey> KEYS = tokenKeys();

    @Test
    void challengesRoundTripByteForByte() {
        assertRoundTrip(CHALLENGES, 1000, TokenChallenge::encode, TokenChallenge::decode);
        forAll(CHALLENGES).tries(100).check(c -> assertThat(c.digest()).isEqualTo(TokenKey.sha256(c.encode())));
    }

    @Test
    void anyBytesGiveTheChallengeTheyEncodeOrMalformed() {
        // Short names and origins, so that mutations often hit the length prefixes.
        Gen<TokenChallenge> small = Gen.combine(
                Gen.ints(0, 0xFFFF),
                Gen.strings("ab.:", 1, 6),
                redemptionContexts(),
                Gen.strings("ab,.", 0, 6).map(o -> o.replaceAll("^,|,$|,,", "a")),
                TokenChallenge::new);

        assertStrict(
                Gen.oneOf(Gen.bytes(0, 48), Gen.mutations(small.map(TokenChallenge::encode))),
                TokenChallenge::decode,
                TokenChallenge::encode);
    }

    @Test
    void tokensRequestsAndResponsesRoundTripByteForByte() {
        assertRoundTrip(TOKENS, 300, Token::encode, Token::decode);
        assertRoundTrip(REQUESTS, 300, TokenRequest::encode, TokenRequest::decode);
        assertRoundTrip(RESPONSES, 300, TokenResponse::encode, TokenResponse::decode);
        forAll(TOKENS)
                .tries(100)
                .check(token -> assertThat(token.authenticatorInput())
                        .isEqualTo(Arrays.copyOf(token.encode(), Token.LENGTH - PublicTokenIssuance.NK)));
    }

    @Test
    void anyBytesGiveTheTokenTheyEncodeOrMalformed() {
        assertStrict(hostile(TOKENS.map(Token::encode), Token.LENGTH), Token::decode, Token::encode);
    }

    @Test
    void anyBytesGiveTheTokenRequestTheyEncodeOrMalformed() {
        assertStrict(
                hostile(REQUESTS.map(TokenRequest::encode), TokenRequest.LENGTH),
                TokenRequest::decode,
                TokenRequest::encode);
    }

    @Test
    void anyBytesGiveTheTokenResponseTheyEncodeOrMalformed() {
        assertStrict(
                hostile(RESPONSES.map(TokenResponse::encode), PublicTokenIssuance.NK),
                TokenResponse::decode,
                TokenResponse::encode);
    }

    @Test
    void tokenKeysRoundTripByteForByte() {
        assertRoundTrip(KEYS, 200, TokenKey::encode, TokenKey::decode);
        forAll(KEYS).tries(20).check(k -> assertThat(k.tokenKeyId()).isEqualTo(TokenKey.sha256(k.encode())));
    }

    /**
     * A changed modulus costs BouncyCastle a 2048-bit compositeness test, so this property runs 300
     * tries rather than 1000.
     */
    @Test
    void anyBytesGiveTheTokenKeyTheyEncodeOrMalformed() {
        assertStrict(
                Gen.oneOf(Gen.bytes(0, 64), Gen.mutations(KEYS.map(TokenKey::encode))),
                TokenKey::decode,
                TokenKey::encode,
                300);
    }

    @Test
    void base64UrlRoundTripsAndAcceptsOnlyItsCanonicalForm() {
        assertRoundTrip(Gen.bytes(0, 70), 1000, Base64Url::encode, t -> Base64Url.decode("x", t));
        Gen<String> hostile = Gen.oneOf(
                Gen.strings("AQgw_-+/=. \u00e9", 0, 16),
                Gen.textMutations(Gen.bytes(0, 20).map(Base64Url::encode), "AQgw_-+/=\u00e9"));
        assertStrict(hostile, Shrink.string(), t -> Base64Url.decode("x", t), Base64Url::encode, 1000);
    }

    /** Random bytes, bytes of about the structure's length after its token_type, and mutations. */
    private static Gen<byte[]> hostile(Gen<byte[]> valid, int length) {
        Gen<byte[]> typed = Gen.bytes(length - 4, length + 2).map(b -> {
            if (b.length >= 2) {
                b[0] = 0;
                b[1] = (byte) PublicTokenIssuance.TOKEN_TYPE;
            }
            return b;
        });
        return Gen.oneOf(Gen.bytes(0, 8), typed, Gen.mutations(valid));
    }

    private static <T> void assertStrict(Gen<byte[]> hostile, Function<byte[], T> decode, Function<T, byte[]> encode) {
        assertStrict(hostile, decode, encode, 1000);
    }

    private static <T> void assertStrict(
            Gen<byte[]> hostile, Function<byte[], T> decode, Function<T, byte[]> encode, int tries) {
        // The decoder gets a copy, so that keeping or changing its input cannot hide a mismatch.
        assertStrict(hostile, Shrink.bytes(), b -> decode.apply(b.clone()), encode, tries);
    }

    /**
     * Any input decodes to a value that encodes back to the very input, or is refused with {@link
     * MalformedTokenException}: strict decoding, one encoding per value.
     */
    private static <I, T> void assertStrict(
            Gen<I> hostile, Shrink<I> shrink, Function<I, T> decode, Function<T, I> encode, int tries) {
        forAll(hostile)
                .tries(tries)
                .shrinkWith(shrink)
                .check(input -> Outcome.of(() -> decode.apply(input), MalformedTokenException.class)
                        .ifValue(v -> assertThat(encode.apply(v)).isEqualTo(input)));
    }

    /** Values decode from their encoding to themselves, and encode again to the same bytes. */
    private static <T, E> void assertRoundTrip(Gen<T> values, int tries, Function<T, E> encode, Function<E, T> decode) {
        forAll(values).tries(tries).check(value -> {
            E encoded = encode.apply(value);
            T decoded = decode.apply(encoded);

            assertThat(decoded).isEqualTo(value);
            assertThat(encode.apply(decoded)).isEqualTo(encoded);
        });
    }

    private static Gen<TokenKey> tokenKeys() {
        byte[] rfcKey = Hex.bytes(
                VectorFile.read("rfc9578-a2-blind-rsa-2048.txt").get(0).get("pkS"));
        Random random = new Random(9578);
        List<BigInteger> moduli = List.of(
                        TokenKey.decode(rfcKey).publicKey().modulus(),
                        BigInteger.probablePrime(1024, random).multiply(BigInteger.probablePrime(1024, random)),
                        BigInteger.probablePrime(1030, random).multiply(BigInteger.probablePrime(1018, random)))
                .stream()
                .filter(n -> n.bitLength() == TokenKey.MODULUS_BITS)
                .toList();
        Gen<BigInteger> exponents = Gen.oneOf(
                Gen.elements(BigInteger.valueOf(3), BigInteger.valueOf(65537)),
                Gen.combine(
                        Gen.ints(2, 2048),
                        Gen.longs(0, Long.MAX_VALUE),
                        (bits, seed) ->
                                new BigInteger(bits, new Random(seed)).setBit(0).setBit(1)));
        return Gen.combine(Gen.elements(moduli), exponents, (n, e) -> TokenKey.of(new BlindRsaPublicKey(n, e)));
    }

    /** redemption_context is empty or 32 bytes (RFC 9577 §2.1.1). */
    private static Gen<byte[]> redemptionContexts() {
        return Gen.oneOf(Gen.bytes(0), Gen.bytes(TokenChallenge.REDEMPTION_CONTEXT_LENGTH));
    }
}
