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

import io.netty.buffer.ByteBufUtil;
import java.math.BigInteger;
import java.util.Map;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;
import org.masquerelay.protocol.Hex;

/**
 * RFC 9474 Appendix A.3, the RSABSSA-SHA384-PSS-Deterministic vector: every intermediate value is
 * reproduced from the key, the message, the salt and the blind.
 */
class BlindRsaVectorTest {

    private static final Map<String, String> V =
            VectorFile.read("rfc9474-a3-rsabssa-sha384-pss-deterministic.txt").get(0);

    private static final BlindRsaPrivateKey KEY = new BlindRsaPrivateKey(big("p"), big("q"), big("e"), big("d"));

    private static final BigInteger INV = big("inv");

    /** Replays salt, then r = inv^-1 mod n, as Blind draws them. */
    private static ScriptedSecureRandom vectorRandom() {
        BigInteger n = KEY.modulus();
        BigInteger r = INV.modInverse(n);
        return new ScriptedSecureRandom(
                bytes("salt"), BigIntegers.asUnsignedByteArray(KEY.publicKey().modulusLength(), r));
    }

    @Test
    void keyMatchesTheVector() {
        assertThat(KEY.modulus()).isEqualTo(big("n"));
        assertThat(KEY.publicKey().modulusLength()).isEqualTo(512);
    }

    @Test
    void preparedMessageIsTheMessage() {
        assertThat(V.get("msg_prefix")).isEmpty();
        assertThat(BlindRsa.prepareIdentity(bytes("msg"))).isEqualTo(bytes("prepared_msg"));
    }

    @Test
    void encodesTheMessage() {
        ScriptedSecureRandom random = new ScriptedSecureRandom(bytes("salt"));

        byte[] encoded = BlindRsa.encode(KEY.publicKey(), bytes("prepared_msg"), random);

        assertThat(ByteBufUtil.hexDump(encoded)).isEqualTo(V.get("encoded_msg"));
        assertThat(random.exhausted()).isTrue();
    }

    @Test
    void blindsTheMessage() {
        ScriptedSecureRandom random = vectorRandom();

        BlindedMessage blinded = BlindRsa.blind(KEY.publicKey(), bytes("prepared_msg"), random);

        assertThat(blinded.blindedMsg()).isEqualTo(bytes("blinded_msg"));
        assertThat(blinded.inv()).isEqualTo(INV);
        assertThat(random.exhausted()).isTrue();
    }

    @Test
    void signsTheBlindedMessage() {
        assertThat(BlindRsa.blindSign(KEY, bytes("blinded_msg"))).isEqualTo(bytes("blind_sig"));
    }

    @Test
    void finalizesToTheSignature() {
        byte[] sig = BlindRsa.finalizeSignature(KEY.publicKey(), bytes("prepared_msg"), bytes("blind_sig"), INV);

        assertThat(sig).isEqualTo(bytes("sig"));
    }

    @Test
    void verifiesTheSignature() {
        BlindRsa.verify(KEY.publicKey(), bytes("prepared_msg"), bytes("sig"));
    }

    @Test
    void runsTheWholeProtocolFromTheVectorInputs() {
        BlindedMessage blinded = BlindRsa.blind(KEY.publicKey(), bytes("prepared_msg"), vectorRandom());
        byte[] blindSig = BlindRsa.blindSign(KEY, blinded.blindedMsg());
        byte[] sig = BlindRsa.finalizeSignature(KEY.publicKey(), bytes("prepared_msg"), blindSig, blinded.inv());

        assertThat(sig).isEqualTo(bytes("sig"));
    }

    private static byte[] bytes(String field) {
        return Hex.bytes(V.get(field));
    }

    private static BigInteger big(String field) {
        return new BigInteger(V.get(field), 16);
    }
}
