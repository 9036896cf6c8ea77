package org.masquerelay.protocol.token;

import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Tampering for tests: every copy of a value that differs from it in exactly one bit. */
final class BitFlips {

    private BitFlips() {}

    /** Returns one copy of {@code original} per bit, with that bit flipped. */
    static Stream<byte[]> of(byte[] original) {
        return IntStream.range(0, original.length * 8)
                .mapToObj(
                        bit -> {
                            byte[] tampered = original.clone();
                            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
                            return tampered;
                        });
    }
}
